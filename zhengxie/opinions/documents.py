"""The official issue of 《社情民意》 (红头 style) as .docx and PDF.

Layout, top to bottom: the big red title (社情民意专报 for a 专报, 社情民意摘报 for a 摘报), the year and
number (2026年第3期), the issuing body (政协XX委员会办公室) on the left and the date on the right, the
签发人, a red rule; a 摘报's own title when it has one; then the items in their order in the issue - a
专报's one item under its title, a 摘报's items numbered 一、二、… - each with its published title and text and the source line
（XX委员 报送）; last the 版记: 报：<recipients> and who printed it when, between black rules.

Word files are written with python-docx, PDFs with reportlab and the built-in CID font STSong-Light (no
font file needed). Both functions return bytes; `issue_items(issue)` loads what they print in a constant
number of queries.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from zhengxie.core.documents import CJK_FONT, cjk_font, docx_document, docx_font, docx_paragraph, paragraphs
from zhengxie.proposals.documents import committee_title

from .models import Opinion, OpinionIssue

RED = "C00000"
TITLES = {OpinionIssue.Kind.SPECIAL: "社情民意专报", OpinionIssue.Kind.DIGEST: "社情民意摘报"}
DIGITS = "零一二三四五六七八九"


# --------------------------------------------------------------------------- shared wording


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (item numbers of a 摘报)."""
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if not rest:
        return DIGITS[hundreds] + "百"
    tail = cn_number(rest)
    if rest < 10:
        return f"{DIGITS[hundreds]}百零{tail}"
    return f"{DIGITS[hundreds]}百{'一' if rest < 20 else ''}{tail}"


def masthead(issue: OpinionIssue) -> str:
    return TITLES.get(issue.kind, "社情民意")


def issuing_body(issue: OpinionIssue) -> str:
    return f"{committee_title(issue.organisation)}办公室"


def issue_date(issue: OpinionIssue) -> str:
    value = timezone.localtime(issue.published_at or issue.created_at or timezone.now())
    return f"{value.year}年{value.month}月{value.day}日"


def number_line(issue: OpinionIssue) -> str:
    return f"{issue.year}年第{issue.number}期"


def source_line(o: Opinion) -> str:
    """（张明华、李红委员 报送）, （民盟县委会 报送）, or both for a body reporting its members' item."""
    names = "、".join(a.member.name for a in o.authors.all())
    parts = [o.source_body] if o.source_body else []
    if names:
        parts.append(f"{names}委员")
    return f"（{' '.join(parts) or committee_title(o.organisation)} 报送）"


def own_title(issue: OpinionIssue) -> str:
    """A 摘报's own title (乡村振兴专题), printed over its items; none when it is just the masthead (the
    default) — a 专报 is headed by its one item's title."""
    title = (issue.title or "").strip()
    if issue.kind != OpinionIssue.Kind.DIGEST or title in ("", masthead(issue)):
        return ""
    return title


def item_heading(issue: OpinionIssue, n: int, o: Opinion) -> str:
    """A 摘报's numbered item title; a 专报's heading: its own title when the office gave it one (the default
    is its item's title), else its item's."""
    if issue.kind == OpinionIssue.Kind.DIGEST:
        return f"{cn_number(n)}、{o.display_title}"
    title = (issue.title or "").strip()
    if not title or title in (masthead(issue), o.title, o.edited_title, o.display_title):
        return o.display_title
    return title


def issue_items(issue: OpinionIssue) -> list[Opinion]:
    """The issue's items in order, with their authors (two queries)."""
    from .selectors import issue_items as load

    return load(issue)


def filename(issue: OpinionIssue, ext: str) -> str:
    return f"{masthead(issue)}{issue.year}年第{issue.number}期.{ext}"


def _items(issue, items):
    return issue_items(issue) if items is None else list(items)


# --------------------------------------------------------------------------- Word


def _font(run, *, size=None, bold=None, color=None, name="仿宋_GB2312"):
    return docx_font(run, size=size, bold=bold, color=color, name=name)


_para = docx_paragraph


def _rule(paragraph, color: str, size: int = 18, where: str = "bottom") -> None:
    """A line under (or over) a paragraph: the red rule of the masthead, the black rules of the 版记."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _two_ends(doc, left: str, right: str, *, size=14):
    """A line with text at both ends (issuing body left, date right) by a right tab stop."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    p = _para(doc)
    section = doc.sections[0]
    p.paragraph_format.tab_stops.add_tab_stop(
        section.page_width - section.left_margin - section.right_margin, WD_TAB_ALIGNMENT.RIGHT
    )
    _font(p.add_run(f"{left}\t{right}"), size=size)
    return p


def issue_docx(issue: OpinionIssue, items: list[Opinion] | None = None) -> bytes:
    items = _items(issue, items)
    doc = docx_document("仿宋_GB2312")

    # 版头
    _para(doc, masthead(issue), size=42, bold=True, align="center", color=RED, name="方正小标宋简体")
    _para(doc, number_line(issue), size=16, align="center")
    _para(doc)
    _two_ends(doc, issuing_body(issue), issue_date(issue))
    signer = _para(doc, f"签发人：{issue.signer or '—'}", size=14, align="right")
    _rule(signer, RED, size=24)
    _para(doc)

    # 正文
    if own_title(issue):
        _para(doc, own_title(issue), size=22, align="center", name="方正小标宋简体")
        _para(doc)
    if issue.kind == OpinionIssue.Kind.DIGEST and len(items) > 1:
        _para(doc, "本期要目", size=16, bold=True, name="黑体")
        for n, o in enumerate(items, 1):
            _para(doc, item_heading(issue, n, o), size=14)
        _para(doc)
    for n, o in enumerate(items, 1):
        heading = item_heading(issue, n, o)
        if issue.kind == OpinionIssue.Kind.DIGEST:
            _para(doc, heading, size=16, bold=True, name="黑体")
        else:
            _para(doc, heading, size=22, align="center", name="方正小标宋简体")
            _para(doc)
        for text in paragraphs(o.display_content):
            _para(doc, text, size=16, indent=True, align="justify")
        _para(doc, source_line(o), size=16, align="right")
        _para(doc)

    # 版记
    sent = _para(doc, f"报：{issue.recipients or '—'}", size=14)
    _rule(sent, "000000", size=8, where="top")
    _rule(sent, "000000", size=4)
    printed = _two_ends(doc, issuing_body(issue), f"{issue_date(issue)}印发")
    _rule(printed, "000000", size=8)

    doc.core_properties.title = f"《社情民意》{issue.label}"
    doc.core_properties.author = issuing_body(issue)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- PDF


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = dict(fontName=cjk_font(), wordWrap="CJK")
    red = colors.HexColor(f"#{RED}")
    return {
        "masthead": ParagraphStyle(
            "masthead", fontSize=40, leading=52, alignment=TA_CENTER, textColor=red, spaceAfter=8, **base
        ),
        "number": ParagraphStyle("number", fontSize=15, leading=24, alignment=TA_CENTER, **base),
        "left": ParagraphStyle("left", fontSize=13, leading=20, **base),
        "right": ParagraphStyle("right", fontSize=13, leading=20, alignment=TA_RIGHT, **base),
        "title": ParagraphStyle(
            "title", fontSize=20, leading=30, alignment=TA_CENTER, spaceBefore=6, spaceAfter=10, **base
        ),
        "heading": ParagraphStyle("heading", fontSize=15, leading=24, spaceBefore=10, spaceAfter=4, **base),
        "toc": ParagraphStyle("toc", fontSize=13, leading=20, **base),
        "body": ParagraphStyle(
            "body", fontSize=14, leading=26, firstLineIndent=28, alignment=TA_JUSTIFY, **base
        ),
        "source": ParagraphStyle(
            "source", fontSize=14, leading=26, alignment=TA_RIGHT, spaceAfter=12, **base
        ),
        "footer": ParagraphStyle("footer", fontSize=13, leading=22, **base),
    }


def _p(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _page_number(canvas, doc):
    canvas.saveState()
    canvas.setFont(CJK_FONT, 10)
    canvas.drawCentredString(doc.pagesize[0] / 2, 1.4 * 28.35, f"— {doc.page} —")
    canvas.restoreState()


def _two_ends_pdf(left, right, styles, width):
    from reportlab.platypus import Table, TableStyle

    t = Table([[_p(left, styles["left"]), _p(right, styles["right"])]], colWidths=[width * 0.6, width * 0.4])
    t.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return t


def issue_story(issue: OpinionIssue, items: list[Opinion], width: float) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import HRFlowable, KeepTogether, Spacer

    styles = _styles()
    red = colors.HexColor(f"#{RED}")
    story = [
        _p(masthead(issue), styles["masthead"]),
        _p(number_line(issue), styles["number"]),
        Spacer(1, 14),
        _two_ends_pdf(issuing_body(issue), issue_date(issue), styles, width),
        _p(f"签发人：{issue.signer or '—'}", styles["right"]),
        HRFlowable(width="100%", thickness=2.5, color=red, spaceBefore=4, spaceAfter=14),
    ]
    if own_title(issue):
        story.append(_p(own_title(issue), styles["title"]))
    if issue.kind == OpinionIssue.Kind.DIGEST and len(items) > 1:
        story.append(_p("本期要目", styles["heading"]))
        story += [_p(item_heading(issue, n, o), styles["toc"]) for n, o in enumerate(items, 1)]
        story.append(Spacer(1, 12))
    for n, o in enumerate(items, 1):
        digest = issue.kind == OpinionIssue.Kind.DIGEST
        story.append(_p(item_heading(issue, n, o), styles["heading" if digest else "title"]))
        story += [_p(text, styles["body"]) for text in paragraphs(o.display_content)]
        story.append(_p(source_line(o), styles["source"]))
    story.append(
        KeepTogether(
            [
                Spacer(1, 18),
                HRFlowable(width="100%", thickness=1, color=colors.black, spaceAfter=2),
                _p(f"报：{issue.recipients or '—'}", styles["footer"]),
                HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceBefore=2, spaceAfter=2),
                _two_ends_pdf(issuing_body(issue), f"{issue_date(issue)}印发", styles, width),
                HRFlowable(width="100%", thickness=1, color=colors.black, spaceBefore=2),
            ]
        )
    )
    return story


def issue_pdf(issue: OpinionIssue, items: list[Opinion] | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    items = _items(issue, items)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=2.8 * cm,
        rightMargin=2.6 * cm,
        topMargin=3.0 * cm,
        bottomMargin=2.8 * cm,
        title=f"《社情民意》{issue.label}",
        author=issuing_body(issue),
    )
    doc.build(issue_story(issue, items, doc.width), onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()
