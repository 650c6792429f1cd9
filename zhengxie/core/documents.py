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


PDF_PAGE_LINK = "zx-page:"  # a reportlab link to "zx-page:N" becomes, in PdfJoin, a link to page N

_PDF_XREF = re.compile(rb"startxref\s+(\d+)")
_PDF_OFFSET = re.compile(rb"(\d{10}) \d{5} ([nf])")
_PDF_ROOT = re.compile(rb"/Root\s+(\d+) 0 R")
_PDF_REF_OR_STRING = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]*>|(?<![\w.])(\d+) 0 R(?![\w])")
_PDF_STREAM = re.compile(rb">>\s*stream\r?\n")
_PDF_PARENT = re.compile(rb"/Parent\s+\d+ 0 R")
_PDF_URI_LINK = re.compile(rb"/A\s*<<[^>]*?/URI\s*\(" + PDF_PAGE_LINK.encode() + rb"(\d+)\)[^>]*>>")


def pdf_page_link(page: int) -> str:
    """The href of a reportlab link (`<a href>` in a Paragraph, `canvas.linkURL`) to page `page` (from 1)
    of the file a PdfJoin writes: written as a go-to-page link when the part is added."""
    return f"{PDF_PAGE_LINK}{page}"


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string (document properties, bookmarks): UTF-16BE with its byte order mark, in hex."""
    from .textguard import printable

    return b"<FEFF" + printable(text).encode("utf-16-be", "replace").hex().upper().encode() + b">"


class PdfJoin:
    """One PDF written from parts that reportlab made one after another, a part at a time, for documents
    that grow with the data (a session's 提案汇编 of thousands of proposals).

    reportlab keeps every page of a document in memory until it saves, and a platypus story is laid out
    whole (the 提案汇编 of 1,000 proposals peaked at 255 MB). Here each part is laid out by reportlab on
    its own (its pages numbered where the part starts in the whole: the caller's footers) and `add`
    copies its objects to `out` straight away — renumbered, each page's parent made the joined file's
    page tree — keeping only the object offsets and page numbers. `add(..., at=0)` puts the part's pages
    before those added so far (a cover and contents that can only be written once every page is known).
    A link to `pdf_page_link(n)` in a part becomes a go-to link to page n of the joined file (pages added
    so far and the part's own). `bookmark` adds an entry to the bookmarks (outline), `close` writes the
    page tree, the bookmarks, the catalogue and the document properties.

    The parts are reportlab's own files (an xref table, strings with their parentheses escaped); each
    copies its own small font dictionaries (STSong-Light is not embedded: nothing big repeats)."""

    def __init__(self, out, *, title: str = "", author: str = ""):
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._next = 3  # 1: the page tree, 2: the catalogue (written by close)
        self.pages: list[int] = []  # object number of each page, in order
        self._bookmarks: list[tuple[str, int]] = []
        self._title, self._author = title, author
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _new(self) -> int:
        self._next += 1
        return self._next - 1

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._pos
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    @staticmethod
    def _parse(data: bytes) -> tuple[dict[int, bytes], int]:
        """The objects of a reportlab PDF (number -> what lies between `obj` and `endobj`) and its root."""
        start = int(_PDF_XREF.findall(data)[-1])
        head = re.match(rb"xref\s+(\d+)\s+(\d+)\s+", data[start:])
        first = int(head.group(1))
        rows = _PDF_OFFSET.findall(data, start + head.end(), data.index(b"trailer", start))
        found = sorted((int(off), first + i) for i, (off, kind) in enumerate(rows) if kind == b"n")
        objects = {}
        for k, (off, number) in enumerate(found):
            end = found[k + 1][0] if k + 1 < len(found) else start
            chunk = data[off:end]
            body = chunk[chunk.index(b"obj") + 3 : chunk.rindex(b"endobj")].strip()
            objects[number] = body
        root = int(_PDF_ROOT.search(data, start).group(1))
        return objects, root

    @staticmethod
    def _refs(head: bytes) -> list[int]:
        return [int(m.group(1)) for m in _PDF_REF_OR_STRING.finditer(head) if m.group(1)]

    def add(self, data: bytes, *, at: int | None = None) -> int:
        """Copy the pages of the reportlab PDF `data` (with all they use) into the joined file, at the
        end or at page index `at`; returns how many pages it has."""
        objects, root = self._parse(data)
        tree = re.search(rb"/Pages\s+(\d+) 0 R", objects[root])
        part_pages, todo = [], [int(tree.group(1))]
        while todo:  # the part's page tree, in order (reportlab writes one flat /Kids)
            node = todo.pop(0)
            body = objects[node]
            if re.search(rb"/Type\s*/Pages\b", body):
                kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body).group(1)
                todo = self._refs(kids) + todo
            else:
                part_pages.append(node)
        # What the pages use (resources, contents, annotations), not their parents.
        used, todo = set(part_pages), list(part_pages)
        while todo:
            body = objects[todo.pop()]
            m = _PDF_STREAM.search(body)
            head = _PDF_PARENT.sub(b"", body[: m.start() + 2] if m else body)
            for ref in self._refs(head):
                if ref not in used:
                    used.add(ref)
                    todo.append(ref)
        numbers = {old: self._new() for old in sorted(used)}
        at = len(self.pages) if at is None else at
        self.pages[at:at] = [numbers[p] for p in part_pages]
        is_page = set(part_pages)

        def renumber(m):
            return b"%d 0 R" % numbers[int(m.group(1))] if m.group(1) else m.group(0)

        def page_link(m):
            return b"/Dest [ %d 0 R /Fit ]" % self.pages[int(m.group(1)) - 1]

        for old in sorted(used):
            body = objects[old]
            m = _PDF_STREAM.search(body)
            head, rest = (body[: m.start() + 2], body[m.start() + 2 :]) if m else (body, b"")
            if old in is_page:
                head = _PDF_PARENT.sub(b"/Parent 1 0 R", head)
            head = _PDF_URI_LINK.sub(page_link, _PDF_REF_OR_STRING.sub(renumber, head))
            self._object(numbers[old], head + rest)
        return len(part_pages)

    def bookmark(self, title: str, page: int) -> None:
        """A bookmark (outline entry) `title` going to page `page` (from 1) of the joined file."""
        self._bookmarks.append((title, page))

    def close(self) -> None:
        """Write the page tree, bookmarks, catalogue, properties and cross-reference table."""
        from django.utils import timezone

        kids = b"".join(b"%d 0 R%s" % (n, b"\n" if i % 16 == 15 else b" ") for i, n in enumerate(self.pages))
        self._object(1, b"<< /Type /Pages /Count %d /Kids [\n%s] >>" % (len(self.pages), kids))
        catalog = b"<< /Type /Catalog /Pages 1 0 R /PageMode /UseNone"
        if self._bookmarks:
            outlines = self._new()
            first = self._next
            items = [self._new() for _ in self._bookmarks]
            for i, ((title, page), number) in enumerate(zip(self._bookmarks, items, strict=True)):
                body = b"<< /Title %s /Parent %d 0 R /Dest [ %d 0 R /Fit ]" % (
                    _pdf_text_string(title),
                    outlines,
                    self.pages[page - 1],
                )
                if i:
                    body += b" /Prev %d 0 R" % (number - 1)
                if i + 1 < len(items):
                    body += b" /Next %d 0 R" % (number + 1)
                self._object(number, body + b" >>")
            self._object(
                outlines,
                b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                % (first, items[-1], len(items)),
            )
            catalog += b" /Outlines %d 0 R" % outlines
        self._object(2, catalog + b" >>")
        info = self._new()
        now = timezone.localtime().strftime("D:%Y%m%d%H%M%S")
        self._object(
            info,
            b"<< /Title %s /Author %s /Producer (ReportLab PDF Library, joined by Zhengxie) /CreationDate (%s) >>"
            % (_pdf_text_string(self._title), _pdf_text_string(self._author), now.encode()),
        )
        start, size = self._pos, self._next
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size)]
        self._write(b"xref\n0 %d\n" % size + b"".join(rows))
        self._write(
            b"trailer\n<< /Size %d /Root 2 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, info, start)
        )


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
