"""Issue #16: the PDF 提案汇编 is laid out a chunk of proposals at a time and joined page by page
(core.documents.PdfJoin), and reads as one document: cover, contents whose page numbers are the pages
the proposals are on, footers numbered on across the chunks, bookmarks, and the font's handling of
characters it cannot set."""

import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from zhengxie.core import exports
from zhengxie.core.models import Export
from zhengxie.proposals import documents
from zhengxie.proposals.exports import COMPILATION
from zhengxie.proposals.models import Proposal

from .builders import build, county_staff, new_session

LONG = "\n".join(
    f"第{k}段：学校周边交通拥堵，上下学高峰时段车辆乱停乱放，存在较大安全隐患。" * 6 for k in range(30)
)


def _pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data), strict=True)
    return [page.extract_text() for page in reader.pages]


def _contents(pages: list[str]) -> dict[str, int]:
    """Number label -> page, as the contents pages print them (dots, the page, then the line's text)."""
    found = {}
    for text in pages[1:]:
        lines = re.findall(r"\.\s*(\d+)\s*\n\s*(第\d{4}号)", text)
        if not lines and "目" not in text:
            break
        found.update((label, int(page)) for page, label in lines)
    return found


def _session_of(n, monkeypatch, chunk=2, long=(2, 3)):
    monkeypatch.setattr(documents, "COMPILATION_CHUNK", chunk)
    session = new_session()
    for k in range(1, n + 1):
        p = build(title=f"关于第{k}件事的提案", number=k, session=session)
        if k in long:
            Proposal.objects.filter(pk=p.pk).update(reasons=LONG)
    build(title="未立案的提案", status="submitted", session=session)
    return session


def test_contents_give_the_page_each_proposal_is_on_and_footers_run_on(db, monkeypatch):
    session = _session_of(5, monkeypatch)  # chunks of 2: proposals 1-2, 3-4, 5; 2 and 3 run over pages
    seen = []
    data = documents.compilation_pdf(session, progress=lambda d, t: seen.append((d, t)))
    pages = _pages(data)
    assert "提 案 汇 编" in pages[0] and "（共5件）" in pages[0] and "测试会议" in pages[0]
    assert "目" in pages[1] and "未立案的提案" not in "".join(pages)
    contents = _contents(pages)
    assert list(contents) == [f"第{k:04d}号" for k in range(1, 6)]
    for k, (label, page) in enumerate(contents.items(), 1):
        # The page the contents give starts with the proposal's heading.
        assert pages[page - 1].split("\n", 1)[1].startswith(f"{label} 关于第{k}件事的提案"), (label, page)
    starts = list(contents.values())
    assert starts[0] == 3 and starts[2] - starts[1] >= 2 and starts[3] - starts[2] >= 2  # long ones
    assert len(pages) > starts[-1] - 1
    # Every page's footer is its place in the whole file, through the chunks.
    assert [p.split("\n", 1)[0] for p in pages] == [f"— {i} —" for i in range(1, len(pages) + 1)]
    assert seen == [(k, 5) for k in range(1, 6)]

    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "测试会议提案汇编"
    assert [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline] == [
        (f"第{k:04d}号\u3000关于第{k}件事的提案", starts[k - 1]) for k in range(1, 6)
    ]
    # The contents' lines are links to those pages.
    targets = []
    for page in reader.pages[1 : starts[0] - 1]:
        for annot in page.get("/Annots") or []:
            dest = annot.get_object()["/Dest"]
            targets.append(reader.get_page_number(dest[0].get_object()) + 1)
    assert sorted(set(targets)) == starts


def test_contents_over_several_pages_laid_out_a_part_at_a_time(db, monkeypatch):
    monkeypatch.setattr(documents, "CONTENTS_PART_PAGES", 1)
    monkeypatch.setattr(documents, "COMPILATION_CHUNK", 4)
    session = new_session()
    long_title = "关于进一步加强和改进农村公路建设养护管理工作切实保障群众安全便捷出行的提案" * 3
    for k in range(1, 15):
        build(title=f"{k}{long_title}", number=k, session=session)
    pages = _pages(documents.compilation_pdf(session))
    contents = _contents(pages)
    first = contents["第0001号"]
    assert first > 3  # the contents took more than one page (each laid out as a part of its own)
    assert list(contents) == [f"第{k:04d}号" for k in range(1, 15)]
    assert list(contents.values()) == list(range(first, first + 14))
    for label, page in contents.items():
        assert pages[page - 1].split("\n", 1)[1].startswith(label)
    assert [p.split("\n", 1)[0] for p in pages] == [f"— {i} —" for i in range(1, len(pages) + 1)]


def test_the_same_file_from_a_list_and_from_the_database_in_chunks(db, monkeypatch):
    session = _session_of(4, monkeypatch, chunk=3, long=(1,))
    listed = _pages(documents.compilation_pdf(session, documents.compilation_proposals(session)))
    assert _pages(documents.compilation_pdf(session)) == listed


def test_a_character_the_font_cannot_set_prints_as_in_the_single_proposal(db, monkeypatch):
    monkeypatch.setattr(documents, "COMPILATION_CHUNK", 1)
    session = new_session()
    build(title="关于改造𠮷祥路的提案", number=1, session=session)
    p = build(title="关于𠮷祥路照明的提案", number=2, session=session)
    Proposal.objects.filter(pk=p.pk).update(reasons="𠮷祥路缺少路灯。")
    single = _pages(documents.proposal_pdf(documents.document_queryset().get(pk=p.pk)))[0]
    assert "关于〓祥路照明的提案" in single and "〓祥路缺少路灯。" in single
    data = documents.compilation_pdf(session)
    pages = _pages(data)
    page = _contents(pages)["第0002号"]
    assert "第0002号 关于〓祥路照明的提案" in pages[page - 1] and "〓祥路缺少路灯。" in pages[page - 1]
    assert "第0001号 关于改造〓祥路的提案" in pages[1]
    # The bookmarks are the viewer's own text: they keep the character.
    assert PdfReader(io.BytesIO(data)).outline[1].title == "第0002号\u3000关于𠮷祥路照明的提案"


def test_queries_by_chunk_not_by_proposal(db, monkeypatch):
    monkeypatch.setattr(documents, "COMPILATION_CHUNK", 10)

    def queries(n):
        s = new_session(name=f"会议{n}", number=20 + n)
        for k in range(1, n + 1):
            build(title=f"提案{k}", number=k, session=s)
        with CaptureQueriesContext(connection) as ctx:
            documents.compilation_pdf(s)
        return len(ctx)

    assert queries(3) == queries(8)


def test_the_background_export_streams_the_pdf_to_its_file(db, monkeypatch):
    session = _session_of(3, monkeypatch, long=())
    staff = county_staff()
    export = Export.objects.create(
        user=staff,
        organisation=staff.organisation,
        kind=COMPILATION,
        title="提案汇编",
        params={"session": session.pk, "format": "pdf"},
    )
    assert exports.run(str(export.pk)) == Export.Status.DONE
    export.refresh_from_db()
    assert export.filename == "测试会议提案汇编.pdf" and export.progress == 100
    with export.file.open("rb") as fh:
        pages = _pages(fh.read())
    assert list(_contents(pages).values()) == [3, 4, 5]
