"""The printable 提案 (.docx / PDF) and the session's 提案汇编 built as a background task."""

import base64
import datetime
import io
import re
import zlib

from zhengxie.members.models import Session
from zhengxie.proposals import documents

from .builders import build


def pdf_text(data: bytes) -> str:
    """The text drawn in a reportlab PDF using the UCS-2 CID font (no pdftotext needed)."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1).strip()
        try:
            if raw.endswith(b"~>"):
                raw = base64.a85decode(raw, adobe=True)
            raw = zlib.decompress(raw)
        except (ValueError, zlib.error):
            continue
        for lit in re.findall(rb"\((.*?)\)\s*Tj", raw, re.S):
            lit = re.sub(rb"\\([()\\])", rb"\1", lit)
            lit = re.sub(rb"\\([0-7]{1,3})", lambda x: bytes([int(x.group(1), 8)]), lit)
            lit = lit.replace(b"\\n", b"\n").replace(b"\\r", b"\r")
            try:
                out.append(lit.decode("utf-16-be"))
            except UnicodeDecodeError:
                out.append(lit.decode("latin-1"))
    return "".join(out).replace("\u3000", " ")


def make_accepted(user, *, title, number, session=None):
    return build(title=title, number=number, session=session)


def test_proposal_docx_has_the_official_layout(user):
    from docx import Document

    p = make_accepted(user, title="关于加强校园周边交通安全管理的提案", number=9057)
    p = documents.document_queryset().get(pk=p.pk)
    doc = Document(io.BytesIO(documents.proposal_docx(p)))
    text = "\n".join(par.text for par in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "政协青川县委员会" in text and "提　　案" in text
    assert "第9057号" in text
    assert "关于加强校园周边交通安全管理的提案" in cells
    assert "张明华" in cells and "科教文卫" in cells
    assert "县教育局" in cells
    assert "设置护学岗" in text


def test_proposal_pdf_is_a_pdf_with_the_title(user):
    p = make_accepted(user, title="关于加强校园周边交通安全管理的提案", number=9058)
    data = documents.proposal_pdf(documents.document_queryset().get(pk=p.pk))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "关于加强校园周边交通安全管理的提案" in text
    assert "第9058号" in text


def test_compilation_docx_and_pdf_order_by_number(user):
    from docx import Document

    staff = user("staff")
    term = Session.objects.get(organisation=staff.organisation, is_current=True).term
    session = Session.objects.create(
        term=term,
        organisation=staff.organisation,
        number=9,
        name="测试会议",
        year=2030,
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 3),
    )
    make_accepted(user, title="第二件提案", number=2, session=session)
    make_accepted(user, title="第一件提案", number=1, session=session)
    seen = []
    data = documents.compilation_docx(
        session, documents.compilation_proposals(session), progress=lambda d, t: seen.append((d, t))
    )
    text = "\n".join(par.text for par in Document(io.BytesIO(data)).paragraphs)
    assert "提 案 汇 编" in text and "目　　录" in text
    assert text.index("第0001号　第一件提案") < text.index("第0002号　第二件提案")
    assert seen[-1] == (2, 2)
    pdf = documents.compilation_pdf(session, documents.compilation_proposals(session))
    assert pdf.startswith(b"%PDF")
    ptext = pdf_text(pdf)
    # The table of contents lists both, with their page numbers, before the proposals themselves.
    assert re.search(r"第0001号 第一件提案[ .]+\d+第0002号 第二件提案", ptext)
    assert ptext.index("案由第一件提案") < ptext.index("案由第二件提案")


def test_compilation_docx_read_in_chunks_keeps_the_official_layout(db, monkeypatch):
    """Issue #16: the 提案汇编 is streamed (core.documents.DocxStream) from the database a chunk at a time;
    the file shows what it showed when built in memory: A4 公文 page, cover with the count, the contents,
    then each proposal on its own page with its heading, facts, texts and units."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from docx import Document

    from .builders import new_session

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(documents, "COMPILATION_CHUNK", 2)  # 5 proposals: three chunks
    session = new_session()
    for n in range(1, 6):
        build(
            title=f"关于第{n}件事的提案",
            number=n,
            session=session,
            cosigners=("member2",) if n % 2 else (),
            co_units=("县民政局",) if n == 3 else (),
        )
    build(title="未立案的提案", status="submitted", session=session)
    data = documents.compilation_docx(session)
    # The same file as from the list read at once (the path small callers and tests take).
    listed = documents.compilation_docx(session, documents.compilation_proposals(session))
    assert _document_xml(data) == _document_xml(listed)

    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.top_margin.cm, 1), round(section.left_margin.cm, 1)) == (3.7, 2.8)
    assert "PAGE" in section.footer._element.xml
    texts = [p.text for p in doc.paragraphs]
    assert "提 案 汇 编" in texts and "（共5件）" in texts and "未立案的提案" not in "\n".join(texts)
    contents = texts[texts.index("目　　录") + 1 : texts.index("目　　录") + 6]
    assert contents == [
        f"第{n:04d}号　关于第{n}件事的提案（张明华{'、刘芳' if n % 2 else ''}）" for n in range(1, 6)
    ]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"第{n:04d}号　关于第{n}件事的提案" for n in range(1, 6)]
    assert doc.core_properties.title == "测试会议提案汇编"
    facts, units = doc.tables[0::2], doc.tables[1::2]
    assert [t.cell(0, 1).text for t in facts] == [f"关于第{n}件事的提案" for n in range(1, 6)]
    assert [t.cell(1, 1).text for t in facts] == [f"张明华{'、刘芳' if n % 2 else ''}" for n in range(1, 6)]
    assert [t.cell(1, 1).text for t in units] == ["县教育局"] * 5
    assert [t.cell(2, 1).text for t in units] == ["—", "—", "县民政局", "—", "—"]
    assert texts.count("理由（案据）") == 5 and texts.count("办法（建议）") == 5
    xml = _document_xml(data)
    assert xml.count(b'w:type="page"') == 6  # after the cover and before each proposal

    # Queries by chunk, not by proposal: 3 and 8 proposals in chunks of 10 cost the same.
    def queries(n):
        s = new_session(name=f"会议{n}", number=20 + n)
        for k in range(1, n + 1):
            build(title=f"提案{k}", number=k, session=s)
        with CaptureQueriesContext(connection) as ctx:
            documents.compilation_docx(s)
        return len(ctx)

    monkeypatch.setattr(documents, "COMPILATION_CHUNK", 10)
    assert queries(3) == queries(8)


def _document_xml(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
