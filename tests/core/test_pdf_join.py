"""core.documents.PdfJoin (issue #16): reportlab PDFs joined page by page into one file that any reader
opens, with links between the parts, a part put in front, and text that looks like a reference kept."""

import io

from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from zhengxie.core.documents import PdfJoin, cjk_font, pdf_page_link


def _part(texts, links=()):
    buf = io.BytesIO()
    c = Canvas(buf)
    for i, text in enumerate(texts):
        c.setFont(cjk_font(), 12)
        c.drawString(72, 720, text)
        for page, url in links if i == 0 else ():
            c.linkURL(url if url else pdf_page_link(page), (72, 700 - 20 * page, 300, 715 - 20 * page))
        c.showPage()
    c.save()
    return buf.getvalue()


def test_parts_joined_in_order_with_links_bookmarks_and_properties():
    out = io.BytesIO()
    join = PdfJoin(out, title="汇编（1 0 R）", author="政协青川县委员会")
    assert join.add(_part(["第三页", "第四页 (2 0 R)"])) == 2
    assert join.add(_part(["第五页"])) == 1
    # The front, added last and put first, links to pages of every part and keeps a real web link.
    front = _part(
        ["第一页", "第二页"], links=[(5, None), (3, None), (2, None), (0, "https://example.org/1 0 R")]
    )
    assert join.add(front, at=0) == 2
    join.bookmark("第五页的书签 𠮷", 5)
    join.close()

    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    texts = [p.extract_text().strip() for p in reader.pages]
    assert texts == ["第一页", "第二页", "第三页", "第四页 (2 0 R)", "第五页"]
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    dests = [reader.get_page_number(a["/Dest"][0].get_object()) + 1 for a in annots if "/Dest" in a]
    assert dests == [5, 3, 2]
    assert [a["/A"]["/URI"] for a in annots if "/A" in a] == ["https://example.org/1 0 R"]
    assert [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline] == [
        ("第五页的书签 𠮷", 5)
    ]
    assert reader.metadata.title == "汇编（1 0 R）" and reader.metadata.author == "政协青川县委员会"
