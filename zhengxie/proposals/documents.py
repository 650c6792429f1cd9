"""Official documents of a proposal: the printable 提案 form (.docx and PDF) and the session's 提案汇编.

Word files are written with python-docx, PDFs with reportlab using the built-in CID font STSong-Light
(so no font file has to be installed). Every function returns bytes; the compilation builders can write
to a file instead (`out`: they stream, for sessions of thousands of proposals) and take an optional
`progress(done, total)` callback so a background task can report how far it has got.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape

from django.db.models import Prefetch
from django.utils import timezone

from zhengxie.core.documents import (
    CJK_FONT,
    DocxStream,
    PdfJoin,
    cjk_font,
    docx_document,
    docx_font,
    paragraphs,
    pdf_page_link,
)

from .models import Assignment, Proposal, Signer
from .workflow import ACCEPTED_OR_LATER

ACCEPTED_STATES = ACCEPTED_OR_LATER
Progress = Callable[[int, int], None] | None


# --------------------------------------------------------------------------- shared wording


def committee_title(organisation) -> str:
    """政协青川县委员会: the committee's formal name from its region (falls back to its own name)."""
    org = getattr(organisation, "committee", organisation)
    region = (getattr(org, "region", "") or "").strip()
    return f"政协{region}委员会" if region else str(org)


def proposers_label(proposal: Proposal) -> str:
    if proposal.kind == Proposal.Kind.COLLECTIVE and proposal.collective_body:
        return proposal.collective_body
    names = [
        s.member.name
        for s in _signers(proposal)
        if s.role == Signer.Role.LEAD or s.status == Signer.Status.AGREED
    ]
    if not names and proposal.lead_member_id:
        names = [proposal.lead_member.name]
    return "、".join(names) or str(proposal.author)


def _signers(proposal):
    return list(proposal.signers.all())


def _assignments(proposal):
    return [a for a in proposal.assignments.all() if a.is_active]


def units_label(proposal: Proposal) -> tuple[str, str]:
    """(主办/分办 units, 会办 units) as display strings."""
    lead = [
        a.unit.name
        for a in _assignments(proposal)
        if a.role in (Assignment.Role.LEAD, Assignment.Role.PARALLEL)
    ]
    co = [a.unit.name for a in _assignments(proposal) if a.role == Assignment.Role.CO]
    return "、".join(lead), "、".join(co)


def review_opinion(proposal: Proposal) -> str:
    if proposal.review_note:
        return proposal.review_note
    if proposal.status in ACCEPTED_STATES:
        return f"经审查，同意立案，列为“{proposal.category}”类提案。"
    if proposal.status == Proposal.Status.REJECTED:
        return f"不予立案：{proposal.reject_reason}"
    if proposal.status == Proposal.Status.CONVERTED:
        return proposal.get_converted_to_display()
    if proposal.status == Proposal.Status.MERGED and proposal.merged_into_id:
        return f"并入{proposal.merged_into}"
    return "尚未审查"


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def fields(proposal: Proposal) -> list[tuple[str, str]]:
    return [
        ("案由", proposal.title),
        ("提案人", proposers_label(proposal)),
        ("类别", proposal.category),
        ("提案类型", proposal.get_kind_display()),
        ("提交时间", _date(proposal.submitted_at or proposal.created_at)),
    ]


def document_queryset():
    """Proposals with everything a document prints, in a constant number of queries."""
    return Proposal.objects.select_related(
        "organisation", "session", "lead_member", "author", "merged_into", "case"
    ).prefetch_related(
        Prefetch("signers", queryset=Signer.objects.select_related("member").order_by("order", "id")),
        Prefetch(
            "case__assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "id")
        ),
    )


def filename(proposal: Proposal, ext: str) -> str:
    stem = f"提案{proposal.number_label}" if proposal.number else f"提案-{proposal.pk}"
    return f"{stem}.{ext}"


# --------------------------------------------------------------------------- Word


def _docx_new():
    return docx_document("仿宋")


def _docx_para(
    doc, text, *, size=14, bold=False, align=None, color=None, name="仿宋", indent=False, style=None
):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph(style=style)
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    docx_font(p.add_run(text), size=size, bold=bold, color=color, name=name)
    return p


def _docx_table(doc, rows: Iterable[tuple[str, str]]):
    from docx.shared import Cm

    rows = list(rows)
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (label, value) in enumerate(rows):
        a, b = table.rows[i].cells
        a.width, b.width = Cm(3.2), Cm(12.4)
        a.text, b.text = "", ""
        docx_font(a.paragraphs[0].add_run(label), size=12, bold=True, name="黑体")
        docx_font(b.paragraphs[0].add_run(value or "—"), size=12, name="仿宋")
    return table


def _docx_proposal_body(doc, proposal: Proposal, *, heading_style=None):
    """The 提案 layout itself; used by the single document and, per proposal, by the compilation."""
    if heading_style:
        h = doc.add_heading(level=1)
        docx_font(
            h.add_run(f"{proposal.number_label}　{proposal.title}"),
            size=16,
            bold=True,
            name="黑体",
            color="000000",
        )
    else:
        _docx_para(
            doc,
            committee_title(proposal.organisation),
            size=26,
            bold=True,
            align="center",
            color="C00000",
            name="宋体",
        )
        _docx_para(doc, "提　　案", size=26, bold=True, align="center", color="C00000", name="宋体")
        _docx_para(doc, f"{proposal.session.name}　　{proposal.number_label}", size=14, align="right")
    _docx_table(doc, fields(proposal))
    for label, text in (
        ("理由（案据）", proposal.reasons),
        ("办法（建议）", proposal.suggestions),
        ("调研情况", proposal.research_note),
    ):
        if not text and label == "调研情况":
            continue
        _docx_para(doc, label, size=15, bold=True, name="黑体")
        for para in paragraphs(text):
            _docx_para(doc, para, size=14, indent=True)
    lead, co = units_label(proposal)
    _docx_para(doc, "审查意见与承办单位", size=15, bold=True, name="黑体")
    _docx_table(
        doc,
        [
            ("审查意见", review_opinion(proposal)),
            ("主办单位", lead),
            ("会办单位", co),
            ("办理期限", _date(proposal.deadline)),
        ],
    )


def proposal_docx(proposal: Proposal) -> bytes:
    doc = _docx_new()
    _docx_proposal_body(doc, proposal)
    doc.core_properties.title = proposal.title
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def compilation_docx(session, proposals: list[Proposal] | None = None, progress: Progress = None, out=None):
    """The 提案汇编 (.docx): the cover, the contents (number, title and proposers of each), then every
    proposal on its own pages as in its single document. Written through core.documents.DocxStream, so
    memory stays flat and time linear whatever the number of proposals: `proposals` — by default the
    session's, read from the database `COMPILATION_CHUNK` at a time (twice: the contents, then the
    proposals) — or a list. Returns the bytes, or writes the file to `out` (a binary file object)."""
    from docx.enum.text import WD_BREAK

    if proposals is None:
        total = compilation_count(session)

        def each(light):
            return compilation_iter(session, light=light)

    else:
        total = len(proposals)

        def each(light):
            return iter(proposals)

    stream = DocxStream(_docx_new())
    doc = stream.doc
    org_title = committee_title(session.organisation)
    for _ in range(4):
        doc.add_paragraph()
    _docx_para(doc, org_title, size=26, bold=True, align="center", color="C00000", name="宋体")
    _docx_para(doc, session.name, size=20, bold=True, align="center", name="宋体")
    _docx_para(doc, "提 案 汇 编", size=30, bold=True, align="center", color="C00000", name="宋体")
    _docx_para(doc, f"（共{total}件）", size=16, align="center")
    _docx_para(doc, _date(timezone.now()), size=16, align="center")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _docx_para(doc, "目　　录", size=20, bold=True, align="center", name="黑体")
    for i, p in enumerate(each(True), 1):
        _docx_para(doc, f"{p.number_label}　{p.title}（{proposers_label(p)}）", size=12)
        if i % COMPILATION_CHUNK == 0:
            stream.flush()
    for i, p in enumerate(each(False), 1):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _docx_proposal_body(doc, p, heading_style=True)
        stream.flush()
        if progress:
            progress(i, total)
    doc.core_properties.title = f"{session.name}提案汇编"
    if out is None:
        return stream.bytes()
    stream.save(out)
    return None


# --------------------------------------------------------------------------- PDF


def _pdf_styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = dict(fontName=cjk_font(), wordWrap="CJK")
    return {
        "org": ParagraphStyle(
            "org", fontSize=24, leading=34, alignment=TA_CENTER, textColor=colors.HexColor("#C00000"), **base
        ),
        "kind": ParagraphStyle(
            "kind",
            fontSize=24,
            leading=34,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#C00000"),
            spaceAfter=6,
            **base,
        ),
        "number": ParagraphStyle("number", fontSize=12, leading=18, alignment=TA_RIGHT, spaceAfter=8, **base),
        "h": ParagraphStyle("h", fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, **base),
        "h1": ParagraphStyle("h1", fontSize=16, leading=24, spaceAfter=8, **base),
        "body": ParagraphStyle("body", fontSize=12, leading=20, firstLineIndent=24, **base),
        "cell": ParagraphStyle("cell", fontSize=11, leading=16, **base),
        "label": ParagraphStyle("label", fontSize=11, leading=16, **base),
        # A contents line: the TableOfContents row it replaces had 3 pt of padding above and below.
        "toc_line": ParagraphStyle("toc_line", fontSize=11, leading=18, spaceBefore=3, spaceAfter=3, **base),
        "title": ParagraphStyle(
            "title",
            fontSize=28,
            leading=40,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#C00000"),
            **base,
        ),
        "center": ParagraphStyle("center", fontSize=16, leading=26, alignment=TA_CENTER, **base),
    }


def _p(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text or "—").replace("\n", "<br/>"), style)


def _pdf_table(rows, styles, width):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[_p(label, styles["label"]), _p(value, styles["cell"])] for label, value in rows]
    t = Table(data, colWidths=[width * 0.2, width * 0.8])
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def _pdf_proposal_story(proposal: Proposal, styles, width, *, heading=None) -> list:
    from reportlab.platypus import Spacer

    story = []
    if heading is not None:
        story.append(heading)
    else:
        story += [
            _p(committee_title(proposal.organisation), styles["org"]),
            _p("提　　案", styles["kind"]),
            _p(f"{proposal.session.name}　　{proposal.number_label}", styles["number"]),
        ]
    story.append(_pdf_table(fields(proposal), styles, width))
    for label, text in (
        ("理由（案据）", proposal.reasons),
        ("办法（建议）", proposal.suggestions),
        ("调研情况", proposal.research_note),
    ):
        if not text and label == "调研情况":
            continue
        story.append(_p(label, styles["h"]))
        story += [_p(para, styles["body"]) for para in paragraphs(text)] or [_p("—", styles["body"])]
    lead, co = units_label(proposal)
    story += [
        Spacer(1, 8),
        _p("审查意见与承办单位", styles["h"]),
        _pdf_table(
            [
                ("审查意见", review_opinion(proposal)),
                ("主办单位", lead),
                ("会办单位", co),
                ("办理期限", _date(proposal.deadline)),
            ],
            styles,
            width,
        ),
    ]
    return story


def _page_number(canvas, doc, number=None):
    """The footer "— N —", centred; N is the document's page unless given (a part of a long document)."""
    canvas.saveState()
    canvas.setFont(CJK_FONT, 9)
    canvas.drawCentredString(
        doc.pagesize[0] / 2, 1.2 * 28.35, f"— {doc.page if number is None else number} —"
    )
    canvas.restoreState()


def proposal_pdf(proposal: Proposal) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=2.6 * cm,
        rightMargin=2.6 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        title=proposal.title,
        author=committee_title(proposal.organisation),
    )
    styles = _pdf_styles()
    doc.build(
        _pdf_proposal_story(proposal, styles, doc.width), onFirstPage=_page_number, onLaterPages=_page_number
    )
    return buf.getvalue()


class _Story(list):
    """A platypus story fed from an iterator while reportlab lays it out (its build loop asks len(),
    takes [0] and puts split parts back in front), so a contents of thousands of lines is never held."""

    def __init__(self, flowables):
        super().__init__()
        self._rest = iter(flowables)

    def __len__(self):
        n = super().__len__()
        if n < 8 and self._rest is not None:
            more = list(itertools.islice(self._rest, 64))
            if not more:
                self._rest = None
            self.extend(more)
            n = super().__len__()
        return n


@functools.cache
def _compilation_doc_class():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
    from reportlab.platypus.frames import Frame

    class CompilationPart(BaseDocTemplate):
        """A part of the PDF 提案汇编 on the A4 page: its footers number its pages from `first_page` (where
        it starts in the whole); `starts` gets the page (in the whole) of each proposal's heading."""

        def __init__(self, fh, *, first_page=1, on_heading=None, **kw):
            margins = dict(
                leftMargin=2.6 * cm, rightMargin=2.6 * cm, topMargin=2.5 * cm, bottomMargin=2.5 * cm
            )
            super().__init__(fh, pagesize=A4, **margins, **kw)
            self.first_page, self.on_heading, self.starts = first_page, on_heading, []
            frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
            self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])

        def _footer(self, canvas, doc):
            _page_number(canvas, doc, self.first_page - 1 + doc.page)

        on_flowable = None

        def afterFlowable(self, flowable):
            if self.on_flowable:
                self.on_flowable(flowable, self.page)
            if getattr(flowable, "_compilation_heading", False):
                self.starts.append(self.first_page - 1 + self.page)
                if self.on_heading:
                    self.on_heading()

    return CompilationPart


def _pdf_contents_line(text: str, page: int | None, style, width):
    """One line of the contents as reportlab's TableOfContents drew it (the title, dots, the page number
    on the right; never split over two pages, as a row of its table), the title and the number linked to
    the page (core.documents.pdf_page_link). `page` None: the line laid out without number nor link."""
    if page is None:
        return _contents_line_class()(escape(text), style)
    return _contents_line_class()(
        f'<a href="{pdf_page_link(page)}">{escape(text)}</a><onDraw name="zxContentsEnd" label="{page}"/>',
        style,
    )


@functools.cache
def _contents_line_class():
    from reportlab.platypus import Paragraph

    class ContentsLine(Paragraph):
        _contents_line = True

        def split(self, availWidth, availHeight):
            return []  # moved whole to the next page

    return ContentsLine


CONTENTS_PART_PAGES = 40  # contents pages laid out (and held by reportlab) at a time


def _pdf_front_story(session, total: int, styles, lines, width, *, cover: bool):
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Spacer

    if cover:
        yield from [
            Spacer(1, 5 * cm),
            _p(committee_title(session.organisation), styles["org"]),
            _p(session.name, styles["center"]),
            Spacer(1, 1 * cm),
            _p("提 案 汇 编", styles["title"]),
            Spacer(1, 1 * cm),
            _p(f"（共{total}件）", styles["center"]),
            _p(_date(timezone.now()), styles["center"]),
            PageBreak(),
            _p("目　　录", styles["org"]),
        ]
    for text, page in lines:
        yield _pdf_contents_line(text, page, styles["toc_line"], width)


def _pdf_front_layout(session, total: int, texts, styles) -> list[int]:
    """The page (from 1, the cover's) on which each line of the contents falls. The page numbers and
    links are drawn after each line, so they do not move it: laid out here without them, and without
    keeping any page (only reportlab's layout runs)."""
    pages: list[int] = []
    doc = _compilation_doc_class()(io.BytesIO())

    def on_line(flowable, page):
        if getattr(flowable, "_contents_line", False):
            pages.append(page)

    doc.on_flowable = on_line
    story = _pdf_front_story(session, total, styles, ((t, None) for t in texts), doc.width, cover=True)
    doc.build(_Story(story), canvasmaker=_discarding_canvas)
    return pages


def _named_callback_canvas(name, callback):
    from reportlab.pdfgen.canvas import Canvas

    def make(*args, **kw):
        canvas = Canvas(*args, **kw)
        canvas.setNamedCB(name, callback)
        return canvas

    return make


def _discarding_canvas(*args, **kw):
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(*args, **kw)
    canvas._doc.addPage = lambda page: None
    return canvas


def _pdf_front_parts(session, total: int, lines, line_pages, styles):
    """The cover and the contents (`lines`: (text, page of the proposal), `line_pages`: the page of each
    line from `_pdf_front_layout`) as PDF parts of `CONTENTS_PART_PAGES` pages at most, each starting
    where the layout put its first line and numbered from there: yields each part's bytes."""
    from reportlab.platypus.tableofcontents import drawPageNumbers

    last = max(line_pages, default=2)
    first = 1
    start = 0
    while first <= last:
        end_page = max(first + CONTENTS_PART_PAGES - 1, 2)  # the cover and the contents' heading together
        stop = start
        while stop < len(lines) and line_pages[stop] <= end_page:
            stop += 1
        buf = io.BytesIO()
        doc = _compilation_doc_class()(buf, first_page=first)
        width = doc.width
        line_style = styles["toc_line"]

        def contents_end(canvas, kind, label, width=width, line_style=line_style):
            page = int(label)
            drawPageNumbers(canvas, line_style, [(page, None)], width, 0, " . ")
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            canvas.linkURL(
                pdf_page_link(page), (x, y, width, y + line_style.leading), relative=1, thickness=0
            )

        story = _pdf_front_story(session, total, styles, lines[start:stop], width, cover=first == 1)
        doc.build(_Story(story), canvasmaker=_named_callback_canvas("zxContentsEnd", contents_end))
        expected = min(end_page, last) - first + 1
        if doc.page != expected:  # cannot happen: the same lines on the same pages as laid out
            raise RuntimeError("提案汇编目录分页与预排不一致")
        yield buf.getvalue()
        first, start = end_page + 1, stop


def compilation_pdf(session, proposals: list[Proposal] | None = None, progress: Progress = None, out=None):
    """The PDF 提案汇编: the cover, the contents with the page of each proposal (linked, and bookmarked),
    then every proposal on its own pages, footers "— N —" throughout. Laid out `COMPILATION_CHUNK`
    proposals at a time, each chunk a reportlab PDF of its own joined into the file as it is made
    (core.documents.PdfJoin), so memory stays flat and time linear whatever the number of proposals:
    the contents are first laid out without numbers to learn their length (where the proposals start),
    then the chunks (their footers numbered on from there, the page of each heading noted), then the
    cover and contents for real, put in front. `proposals`: by default the session's, read from the
    database; or a list. Returns the bytes, or writes the file to `out` (a binary file object)."""
    if proposals is None:
        total = compilation_count(session)
        light = _compiled(Proposal.objects, session).order_by("number").only("pk", "number", "title")

        def heading_texts():
            return (_heading_text(p) for p in light.iterator(chunk_size=2000))

        def each():
            return compilation_iter(session)

    else:
        total = len(proposals)

        def heading_texts():
            return (_heading_text(p) for p in proposals)

        def each():
            return iter(proposals)

    styles = _pdf_styles()
    target = io.BytesIO() if out is None else out
    join = PdfJoin(target, title=f"{session.name}提案汇编", author=committee_title(session.organisation))
    line_pages = _pdf_front_layout(session, total, heading_texts(), styles)
    front_pages = max(line_pages, default=2)  # the cover, then the contents (a page even when empty)
    lines: list[tuple[str, int]] = []
    done = [0]

    def heading_done():
        done[0] += 1
        if progress:
            progress(done[0], total)

    proposals_iter = each()
    page = front_pages + 1
    while chunk := list(itertools.islice(proposals_iter, COMPILATION_CHUNK)):
        from reportlab.platypus import PageBreak, Paragraph

        buf = io.BytesIO()
        doc = _compilation_doc_class()(buf, first_page=page, on_heading=heading_done)
        story = []
        for k, p in enumerate(chunk):
            heading = Paragraph(escape(_heading_text(p)), styles["h1"])
            heading._compilation_heading = True
            story += [PageBreak()] if k else []
            story += _pdf_proposal_story(p, styles, doc.width, heading=heading)
        doc.build(story)
        lines += zip((_heading_text(p) for p in chunk), doc.starts, strict=True)
        del story, chunk, doc
        page += join.add(buf.getvalue())
    at = 0
    for part in _pdf_front_parts(session, total, lines, line_pages, styles):
        at += join.add(part, at=at)
    for text, start in lines:
        join.bookmark(text, start)
    join.close()
    return target.getvalue() if out is None else None


def _heading_text(proposal) -> str:
    return f"{proposal.number_label}　{proposal.title}"


def _compiled(qs, session):
    return qs.filter(session=session, status__in=ACCEPTED_STATES, number__isnull=False)


def compilation_proposals(session) -> list[Proposal]:
    return list(_compiled(document_queryset(), session).order_by("number"))


COMPILATION_CHUNK = 200  # proposals read at a time (with their signers and units) for the .docx


def compilation_iter(session, *, light: bool = False):
    """The session's compiled proposals by number, read `COMPILATION_CHUNK` at a time with their signers
    and units (a constant number of queries a chunk; none kept after it). `light`: without the long texts
    (what the contents print)."""
    qs = _compiled(document_queryset(), session).order_by("number")
    if light:
        qs = qs.defer("reasons", "suggestions", "research_note", "review_note", "reject_reason")
    return qs.iterator(chunk_size=COMPILATION_CHUNK)


def compilation_count(session) -> int:
    return _compiled(Proposal.objects, session).count()


# --------------------------------------------------------------------------- 答复函 template


def _addressee(proposal: Proposal) -> str:
    if proposal.kind == Proposal.Kind.COLLECTIVE and proposal.collective_body:
        return f"{proposal.collective_body}："
    return f"{proposers_label(proposal)}委员："


def reply_letter_filename(proposal: Proposal) -> str:
    return f"{proposal.number_label}提案答复函（模板）.docx"


def reply_letter_docx(proposal: Proposal, *, unit, handler: str = "", classes=("A", "B", "C")) -> bytes:
    """The 答复函 a unit fills in (.docx, A4 公文 page): the class line (答复类别 □A □B □C, 签发人) at the top,
    the unit's name as letterhead, the title 《关于政协…第N号提案的答复》, the proposer(s) addressed, the body
    to write (placeholders in brackets), the unit's signature and date, 承办人 and 联系电话, 抄送 the
    committee's 提案委员会, and a note on the classes to delete before sending. `unit` is a HandlingUnit or
    a name (several 分办 units' names when staff download it)."""
    from zhengxie.core.documents import docx_paragraph as para
    from zhengxie.handling.models import Reply
    from zhengxie.opinions.documents import RED, _rule, _two_ends

    unit_name = getattr(unit, "name", unit) or "（承办单位名称）"
    phone = getattr(unit, "phone", "") or ""
    doc = docx_document("仿宋_GB2312")
    boxes = "　".join(f"□{c}类" for c in classes)
    _two_ends(doc, f"答复类别：{boxes}", "签发人：　　　　")
    para(doc)
    head = para(doc, unit_name, size=30, align="center", color=RED, name="方正小标宋简体")
    _rule(head, RED, size=24)
    para(doc)
    para(doc, proposal.reply_letter_title, size=22, align="center", name="方正小标宋简体")
    para(doc)
    para(doc, _addressee(proposal), size=16)
    you = "您" if proposal.kind == Proposal.Kind.INDIVIDUAL else "你们"
    para(
        doc,
        f"{you}提出的《{proposal.title}》"
        f"（{proposal.session.name}{proposal.number_label}提案）收悉。我单位高度重视，"
        "经认真研究并与提案人沟通协商，现答复如下：",
        indent=True,
        align="justify",
    )
    for text in (
        "一、（针对提案所提问题和建议，逐条说明办理情况、采纳情况和已取得的成效。）",
        "二、（下一步工作打算。B类答复写明解决的计划、措施和时限；C类答复说明因条件限制或其他原因"
        "留作参考的理由。）",
        f"感谢{you}对我单位工作的关心和支持，欢迎继续提出宝贵意见和建议。",
    ):
        para(doc, text, indent=True, align="justify")
    para(doc)
    para(doc, unit_name, align="right")
    para(doc, f"{timezone.localdate().year}年　　月　　日", align="right")
    para(doc, "（盖章）", align="right")
    para(doc)
    para(doc, f"承办人：{handler or '　　　　'}　　联系电话：{phone or '　　　　　　'}", size=14)
    copy = para(doc, f"抄送：{committee_title(proposal.organisation)}提案委员会。", size=14)
    _rule(copy, "000000", size=8, where="top")
    _rule(copy, "000000", size=8)
    labels = dict(Reply.ResultClass.choices)
    para(doc)
    para(
        doc,
        "注：请在答复类别的□内打“√”（"
        + "；".join(labels.get(c, f"{c}类") for c in classes)
        + "）。答复函须由单位负责人签发并加盖公章；括号内的提示文字和本注在正式行文时删除。",
        size=12,
        name="楷体_GB2312",
    )
    doc.core_properties.title = proposal.reply_letter_title
    doc.core_properties.author = unit_name
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def reply_letter_for(user, proposal: Proposal) -> bytes:
    """The template as this user gets it: a unit's own name, phone and handler (the user); for the office,
    the replying (主办/分办) units' names. `proposal` from `document_queryset()`; the caller has checked
    `rules.may_download_reply_template`."""
    from zhengxie.core import orgsettings

    from .rules import is_unit_user

    replying = [
        a for a in _assignments(proposal) if a.role in (Assignment.Role.LEAD, Assignment.Role.PARALLEL)
    ]
    mine = next(
        (a for a in _assignments(proposal) if is_unit_user(user) and a.unit_id == user.handling_unit_id),
        None,
    )
    if mine is not None:
        unit, handler = mine.unit, user.name or user.username
    else:
        unit, handler = "、".join(a.unit.name for a in replying), ""
    classes = orgsettings.get(proposal.organisation, "proposals.result_classes")
    return reply_letter_docx(proposal, unit=unit, handler=handler, classes=classes)
