"""What every official document builder shares (proposals, 社情民意 issues, duty reports): the A4 公文 page
of a Word file with its body font, a run's Chinese font, text split into paragraphs, photos made smaller
and set on the page with a caption, and the built-in CID font for PDFs (STSong-Light: no font file has to
be installed)."""

from __future__ import annotations

import functools
import io
import re

CJK_FONT = "STSong-Light"
# STSong-Light is addressed in UCS-2 (UniGB-UCS2-H): a character outside the Basic Multilingual Plane
# (CJK Extension B such as 𠮷, most emoji) has no code there. Such characters are printed as 〓 (the
# 公文 mark for a character the type cannot set) so the rest of the text stays intact.
PDF_MISSING = "〓"
_OUTSIDE_BMP = re.compile("[\U00010000-\U0010ffff]")


def pdf_text(text: str) -> str:
    """The text as the PDF font can print it: without control characters and lone surrogates (stored
    before the edge refused them: core.textguard.printable) and every character outside the BMP replaced
    by 〓."""
    from .textguard import printable

    return _OUTSIDE_BMP.sub(PDF_MISSING, printable(text))


@functools.cache
def _bmp_cid_font_class():
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    class BmpCIDFont(UnicodeCIDFont):
        """STSong-Light that prints (and measures) `pdf_text(text)`."""

        def formatForPdf(self, text):
            return super().formatForPdf(pdf_text(text))

        def stringWidth(self, text, size, encoding=None):
            return super().stringWidth(pdf_text(text), size, encoding)

    return BmpCIDFont


def cjk_font() -> str:
    """The PDF font for Chinese text, registered with reportlab on first use. Every PDF builder draws
    with it (paragraphs, tables, canvas strings), so `pdf_text` applies to every PDF the platform makes."""
    from reportlab.pdfbase import pdfmetrics

    cls = _bmp_cid_font_class()
    if not isinstance(pdfmetrics._fonts.get(CJK_FONT), cls):
        pdfmetrics.registerFont(cls(CJK_FONT))
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


def docx_paragraph(
    doc, text="", *, size=16, bold=False, align=None, color=None, name="仿宋_GB2312", indent=False
):
    """A 公文 paragraph: no space after, `align` "center" / "right" / "justify", `indent` two characters."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }.get(align)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(0)
    if text:
        docx_font(p.add_run(text), size=size, bold=bold, color=color, name=name)
    return p


def docx_page_numbers(doc) -> None:
    """The 公文 page number in every footer: "— 1 —", centred, 宋体 14 pt (a PAGE field Word fills in)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for section in doc.sections:
        p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        docx_font(p.add_run("— "), size=14, name="宋体")
        run = docx_font(p.add_run(), size=14, name="宋体")
        for tag, attrs, text in (
            ("w:fldChar", {"w:fldCharType": "begin"}, None),
            ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
            ("w:fldChar", {"w:fldCharType": "end"}, None),
        ):
            el = OxmlElement(tag)
            for k, v in attrs.items():
                el.set(qn(k), v)
            if text:
                el.text = text
            run._r.append(el)
        docx_font(p.add_run(" —"), size=14, name="宋体")


@functools.cache
def guard_docx_text() -> None:
    """Every text python-docx writes into a document goes through core.textguard.printable: the text of
    each run (`add_run`, `add_paragraph`, `add_heading`, a table cell's `.text`: python-docx writes them
    all as `<w:t>` elements) and the document's properties (title, author …, also cut to the 255
    characters Word allows). A control character or lone surrogate stored before the edge refused them
    would otherwise fail the whole document (lxml refuses them: a 500). Installed once, as python-docx's
    own element classes for these two tags; `docx_document` does it, and every Word file the platform
    makes starts there."""
    from docx.oxml.coreprops import CT_CoreProperties
    from docx.oxml.parser import register_element_cls
    from docx.oxml.text.run import CT_Text
    from lxml import etree

    from .textguard import printable

    element_text = etree._Element.text

    class PrintableText(CT_Text):
        @property
        def text(self):
            return element_text.__get__(self)

        @text.setter
        def text(self, value):
            element_text.__set__(self, printable(value) if isinstance(value, str) else value)

    class PrintableCoreProperties(CT_CoreProperties):
        def _set_element_text(self, prop_name, value):
            super()._set_element_text(prop_name, printable(str(value))[:255])

    register_element_cls("w:t", PrintableText)
    register_element_cls("cp:coreProperties", PrintableCoreProperties)


def docx_document(body_font: str, *, page_numbers: bool = True):
    """A new Word document on the A4 公文 page (margins 3.7/3.5/2.8/2.6 cm) with this body font and, by
    default, page numbers in the footer. Its text goes through `guard_docx_text`."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    guard_docx_text()
    doc = Document()
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = body_font
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_font)
    if page_numbers:
        docx_page_numbers(doc)
    return doc


@functools.cache
def _spilled_image_part(cls):
    """The class of an image part whose bytes DocxStream put on disk: it keeps the digest by which
    python-docx finds a picture added twice."""

    class SpilledImagePart(cls):
        @property
        def sha1(self):
            return self._spilled_sha1

        @property
        def image(self):  # the same picture added again: python-docx reads its size
            from docx.image.image import Image

            self._spilled_file.seek(0)
            return Image.from_blob(self._spilled_file.read())

    return SpilledImagePart


_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


class DocxStream:
    """A Word document written a part at a time to disk, for documents that grow with the data (a session's
    提案汇编 of thousands of proposals, 评议汇编, a big issue of 社情民意).

    python-docx holds the whole document in memory, and each paragraph it appends searches the body for
    the section properties that must stay last, so a long document costs memory and time that grow with
    its length (measured on the 提案汇编: 23 ms a proposal at the start, 340 ms after 7,000, past 720 MB).
    Here the same python-docx code lays out every part on `doc` — a document from `docx_document`, which
    gives the page, fonts, footers and properties —, and `flush()` moves what its body holds into a
    temporary file (the children serialised as they are, text already passed through
    `textguard.printable` by `guard_docx_text`) and empties the body again. `save(out)` writes the .docx:
    every part of `doc`'s own package (styles, settings, footers, pictures the parts added, properties),
    its document.xml being the head up to the body, the flushed parts and the closing section properties.
    Memory stays that of one part; time is linear in the parts. The result is the same file python-docx
    would have written from all the parts at once."""

    CHUNK = 1 << 20

    def __init__(self, doc):
        import tempfile

        self.doc = doc
        self._body = doc.element.body
        self._parts = tempfile.TemporaryFile()
        self._shapes = 0  # pictures flushed: python-docx numbers a new one after those still in the body
        self._media: dict[str, object] = {}  # zip name -> temporary file holding a picture put aside

    def flush(self) -> None:
        """Move what the body holds (all but its closing section properties) to the file on disk."""
        from lxml import etree

        body = self._body
        last = body[-1] if len(body) else None
        sect = last if last is not None and last.tag.endswith("}sectPr") else None
        children = [c for c in body if c is not sect]
        if not children:
            return
        if sect is not None:
            body.remove(sect)
        # Word wants each picture's id unique in the document; python-docx counted only those in the body.
        if self._shapes:
            for child in children:
                for pr in child.iter(_DOC_PR):
                    old, new = pr.get("id"), str(int(pr.get("id")) + self._shapes)
                    pr.set("id", new)
                    if pr.get("name") == f"Picture {old}":
                        pr.set("name", f"Picture {new}")
        for child in children:
            for pr in child.iter(_DOC_PR):
                self._shapes = max(self._shapes, int(pr.get("id")))
        # The body serialised alone carries the namespace declarations on its own start tag (the document
        # element of the head declares them all): its children are cut out between the tags.
        xml = etree.tostring(body, encoding="utf-8", with_tail=False)
        start = xml.index(b">", xml.index(b"<w:body")) + 1
        end = xml.rindex(b"</w:body>")
        self._parts.write(xml[start:end])
        for child in children:
            body.remove(child)
        if sect is not None:
            body.append(sect)
        self._put_pictures_aside()

    def _put_pictures_aside(self) -> None:
        """Move the bytes of the pictures added so far to disk (a booklet of hundreds of photos would
        otherwise hold them all); their parts stay, empty, and still find a picture added again."""
        import tempfile

        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        for rel in list(self.doc.part.rels.values()):
            if rel.is_external or rel.reltype != RT.IMAGE:
                continue
            part = rel.target_part
            name = str(part.partname).lstrip("/")
            if name in self._media:
                continue
            fh = tempfile.TemporaryFile()
            fh.write(part.blob)
            self._media[name] = fh
            sha1 = part.sha1
            part.__class__ = _spilled_image_part(type(part))
            part._spilled_sha1, part._spilled_file, part._blob, part._image = sha1, fh, b"", None

    def save(self, out) -> None:
        """Write the .docx to the binary file object `out` (a path works too)."""
        import shutil
        import zipfile

        self.flush()
        package = io.BytesIO()
        self.doc.save(package)
        with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename in self._media:
                    entry = zipfile.ZipInfo(info.filename, info.date_time)
                    entry.compress_type = info.compress_type
                    with dst.open(entry, "w", force_zip64=True) as fh:
                        self._media[info.filename].seek(0)
                        shutil.copyfileobj(self._media[info.filename], fh, self.CHUNK)
                    continue
                if info.filename != "word/document.xml":
                    dst.writestr(info, src.read(info.filename))
                    continue
                xml = src.read(info.filename)
                cut = xml.rfind(b"<w:sectPr")
                cut = cut if cut >= 0 else xml.rindex(b"</w:body>")
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(entry, "w", force_zip64=True) as fh:
                    fh.write(xml[:cut])
                    self._parts.seek(0)
                    shutil.copyfileobj(self._parts, fh, self.CHUNK)
                    fh.write(xml[cut:])
        self._parts.close()
        for fh in self._media.values():
            fh.close()

    def bytes(self) -> bytes:
        """The .docx as bytes (a small document: tests, a request's download)."""
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()


PHOTO_EDGE = 960  # px: the longer side of a photo put into a document


def small_photo(data: bytes, edge: int = PHOTO_EDGE) -> io.BytesIO:
    """The photo made smaller for the page (JPEG, longer side `edge`), as a stream for python-docx or
    reportlab. Stored photos are already without EXIF (core.uploads.clean_image); this keeps none either."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGB")
        img.thumbnail((edge, edge))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=80)
    out.seek(0)
    return out


def attachment_photo(att, edge: int = PHOTO_EDGE) -> io.BytesIO | None:
    """A stored photo (core.models.Attachment) made smaller for the page, or None when its file is missing
    or cannot be read (the document is built without it rather than failing)."""
    from PIL import UnidentifiedImageError

    try:
        with att.file.open("rb") as fh:
            return small_photo(fh.read(), edge)
    except (OSError, ValueError, UnidentifiedImageError):
        return None


def docx_text_width(doc):
    """The width between the margins of the document's (first) section, in EMU."""
    section = doc.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def docx_photo(doc, photo: io.BytesIO, *, caption: str = "", width=None, max_height=None, size=12):
    """A photo on its own centred line, `width` wide (default: the text width, so it spans the page) and no
    taller than `max_height` (a portrait photo is narrowed to fit), with its caption centred under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    from PIL import Image

    width = width or docx_text_width(doc)
    if max_height is not None:
        with Image.open(photo) as img:
            w, h = img.size
        photo.seek(0)
        if h and width * h / w > max_height:
            width = int(max_height * w / h)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = bool(caption)
    p.add_run().add_picture(photo, width=width)
    if caption:
        docx_paragraph(doc, caption, size=size, align="center", name="楷体_GB2312")
        doc.paragraphs[-1].paragraph_format.space_after = Pt(size / 2)
    return p


def file_response(data: bytes, filename: str, content_type: str):
    """A download of generated bytes under a Chinese file name (RFC 5987 filename*)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
