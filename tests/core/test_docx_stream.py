"""core.documents.DocxStream (issue #16): a long Word document written a part at a time to disk is the same
file python-docx writes from the whole document in memory — same document.xml, same parts (styles, page,
footers, pictures) — and building it keeps no part, nor the bytes of a picture, in memory once flushed."""

import io
import zipfile

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm
from PIL import Image

from zhengxie.core.documents import DocxStream, docx_document, docx_paragraph, docx_photo, small_photo


def _jpeg(k: int) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30 * k, 30)).save(buf, format="JPEG")
    return small_photo(buf.getvalue())


def _part(doc, n: int, *, photo: bool = False) -> None:
    """One part of a long document: a heading, two paragraphs, a table, sometimes a photo, a page break."""
    h = doc.add_heading(level=1)
    h.add_run(f"第{n:04d}号　标题{n}")
    docx_paragraph(doc, f"正文第{n}段，含<尖括号>&“引号”和\x00控制字符。", indent=True, align="justify")
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text, table.cell(0, 1).text = "案由", f"标题{n}"
    table.cell(1, 0).text, table.cell(1, 1).text = "提案人", "张明华、李四"
    if photo:
        docx_photo(doc, _jpeg(n % 3), caption=f"照片{n}", width=Cm(8))  # three photos, each used again
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _both(parts: int, flush_every: int, **kw):
    whole = docx_document("仿宋_GB2312")
    stream = DocxStream(docx_document("仿宋_GB2312"))
    for n in range(1, parts + 1):
        _part(whole, n, **kw)
        _part(stream.doc, n, **kw)
        if n % flush_every == 0:
            stream.flush()
    for d in (whole, stream.doc):
        d.core_properties.title = "汇编"
    buf = io.BytesIO()
    whole.save(buf)
    return buf.getvalue(), stream.bytes()


def test_the_streamed_document_is_the_one_python_docx_writes():
    for flush_every in (1, 3, 100):
        a, b = _both(7, flush_every, photo=True)
        za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            if name != "docProps/core.xml":  # its time stamps differ by the second
                assert za.read(name) == zb.read(name), name
        doc = Document(io.BytesIO(b))
        section = doc.sections[0]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)  # A4
        assert (round(section.left_margin.cm, 1), round(section.top_margin.cm, 1)) == (2.8, 3.7)
        assert "PAGE" in section.footer._element.xml  # the page number field
        headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        assert headings == [f"第{n:04d}号　标题{n}" for n in range(1, 8)]
        # Escaped and cleaned: the angle brackets and ampersand come back as typed, the NUL is gone.
        assert "正文第3段，含<尖括号>&“引号”和控制字符。" in [p.text for p in doc.paragraphs]
        assert [t.cell(0, 1).text for t in doc.tables] == [f"标题{n}" for n in range(1, 8)]
        assert len(doc.inline_shapes) == 7 and doc.core_properties.title == "汇编"
        assert len([n for n in zb.namelist() if n.startswith("word/media/")]) == 3


def test_a_flushed_part_is_not_kept_in_memory():
    """What python-docx holds (lxml elements, allocated outside tracemalloc's sight) after each flush is the
    empty body: the document's length is on disk only."""
    stream = DocxStream(docx_document("仿宋"))
    empty = sum(1 for _ in stream.doc.element.iter())
    for n in range(300):
        _part(stream.doc, n)
        stream.flush()
        assert sum(1 for _ in stream.doc.element.iter()) == empty
    data = stream.bytes()
    assert len(Document(io.BytesIO(data)).tables) == 300


def test_flushed_pictures_wait_on_disk():
    stream = DocxStream(docx_document("仿宋"))
    for n in range(6):
        _part(stream.doc, n, photo=True)
        stream.flush()
    images = [p for p in stream.doc.part.package.iter_parts() if p.partname.startswith("/word/media/")]
    assert len(images) == 3 and all(p.blob == b"" for p in images)
    doc = Document(io.BytesIO(stream.bytes()))
    assert len(doc.inline_shapes) == 6
    assert all(
        len(p.blob) > 300 for p in doc.part.package.iter_parts() if p.partname.startswith("/word/media/")
    )
