"""What every official document builder shares (proposals, 社情民意 issues, duty reports): the A4 公文 page
of a Word file with its body font, a run's Chinese font, text split into paragraphs, and the built-in
CID font for PDFs (STSong-Light: no font file has to be installed)."""

from __future__ import annotations

CJK_FONT = "STSong-Light"


def cjk_font() -> str:
    """The PDF font for Chinese text, registered with reportlab on first use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a text, stripped (one paragraph each)."""
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n") if p.strip()]


def docx_font(run, *, size=None, bold=None, color=None, name="宋体"):
    """Set a run's font, the East Asian one too (Word otherwise shows Chinese in its default font)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def docx_document(body_font: str):
    """A new Word document on the A4 公文 page (margins 3.7/3.5/2.8/2.6 cm) with this body font."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document()
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = body_font
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_font)
    return doc
