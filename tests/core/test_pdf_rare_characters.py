"""Characters outside the Basic Multilingual Plane (𠮷 in a name, emoji) in every PDF: the built-in CID
font cannot address them, so they print as 〓 and the text after them stays intact."""

import io

from reportlab.pdfgen import canvas

from tests.proposals.builders import build
from tests.proposals.test_documents import pdf_text
from zhengxie.core.documents import PDF_MISSING, cjk_font
from zhengxie.core.documents import pdf_text as printable
from zhengxie.proposals import documents

RARE = "吉林村民𠮷祥反映"


def test_the_shared_helper_replaces_only_characters_outside_the_bmp():
    assert printable("吉林村民𠮷祥反映😀好") == "吉林村民〓祥反映〓好"
    assert printable("普通文字：ABC，１２３") == "普通文字：ABC，１２３"
    assert PDF_MISSING == "〓"


def test_a_canvas_string_keeps_the_text_after_a_rare_character():
    """Posters and page numbers draw on the canvas with the same font."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(cjk_font(), 12)
    c.drawString(50, 700, RARE + "😀完")
    c.save()
    assert "吉林村民〓祥反映〓完" in pdf_text(buf.getvalue())


def test_the_proposal_pdf_prints_the_rest_of_the_title_and_text(db):
    p = build(title=f"关于{RARE}的问题的提案", number=9077)
    p.reasons = f"村民{RARE}，情况属实。"
    p.save(update_fields=["reasons"])
    text = pdf_text(documents.proposal_pdf(documents.document_queryset().get(pk=p.pk)))
    assert "关于吉林村民〓祥反映的问题的提案" in text
    assert "村民吉林村民〓祥反映，情况属实。" in text
    assert "\ud842" not in text and "𠮷" not in text
