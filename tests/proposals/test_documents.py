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
