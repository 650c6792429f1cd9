"""QR posters (码上议): an A4 sheet with a title, a subtitle, a large QR code of a public address and the
address in print, drawn on the server — a PDF (reportlab, the built-in CJK font of core.documents) and a
PNG (segno + Pillow).

The PNG needs a Chinese TrueType/OpenType font on the server for the title (Debian: fonts-noto-cjk or
fonts-wqy-*, which `make browsers` installs); without one it still draws the QR code and the address (ASCII)
and leaves the Chinese lines out rather than printing boxes. `png_has_text()` says which it will be.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import segno

HINT = "请用手机微信或相机扫描二维码"

# Where Debian and most Linux distributions put a CJK font (first found wins).
_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


def _qr(url: str):
    return segno.make(url, error="m", micro=False)


def _wrap(text: str, width_of, max_width: float) -> list[str]:
    """Break a line of (mostly Chinese) text into lines no wider than max_width, character by character."""
    lines, line = [], ""
    for ch in text.strip():
        if line and width_of(line + ch) > max_width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def poster_pdf(title: str, subtitle: str, url: str) -> bytes:
    """An A4 PDF poster: title, subtitle, the QR code of `url` (vector squares: sharp at any size) and
    the address printed under it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from .documents import cjk_font

    font = cjk_font()
    width, height = A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(title)
    c.setAuthor("智慧政协履职平台")

    # A red band at the top, the title in it.
    c.setFillColorRGB(0.70, 0.07, 0.07)
    c.rect(0, height - 70 * mm, width, 70 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    y = height - 28 * mm
    for size, text in ((30, title), (16, subtitle)):
        for line in _wrap(text, lambda s, size=size: stringWidth(s, font, size), width - 30 * mm)[:2]:
            c.setFont(font, size)
            c.drawCentredString(width / 2, y, line)
            y -= size * 1.5
        y -= 4 * mm

    # The QR code, drawn module by module.
    qr = _qr(url)
    matrix = list(qr.matrix)
    n = len(matrix)
    side = 120 * mm
    cell = side / (n + 8)  # a quiet zone of four modules each side
    left = (width - side) / 2
    top = height - 82 * mm
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(left + (col + 4) * cell, top - (r + 5) * cell, cell, cell, stroke=0, fill=1)

    c.setFont(font, 16)
    c.drawCentredString(width / 2, top - side - 10 * mm, HINT)
    c.setFont("Helvetica", 11)
    c.drawCentredString(width / 2, top - side - 20 * mm, url)
    c.showPage()
    c.save()
    return buf.getvalue()


@functools.cache
def cjk_font_path() -> str | None:
    """A CJK font file the PNG can draw Chinese with, or None."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, timeout=5
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        # fc-match always answers something: keep it only if the font really covers Chinese.
        if out and Path(out).is_file() and _covers_chinese(out):
            return out
    return None


def _covers_chinese(path: str) -> bool:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 40)
    except OSError:
        return False
    # A font without these glyphs draws the same box for both.
    return bytes(font.getmask("政")) != bytes(font.getmask("协"))


def png_has_text() -> bool:
    """Whether poster_png can draw the Chinese title (a CJK font is installed)."""
    return cjk_font_path() is not None


def poster_png(title: str, subtitle: str, url: str) -> bytes:
    """The same poster as a PNG (A4 at 150 dpi: 1240 × 1754 px)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1240, 1754
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font_path = cjk_font_path()

    draw.rectangle((0, 0, width, 410), fill=(179, 18, 18))
    if font_path:

        def font(size):
            return ImageFont.truetype(font_path, size)

        y = 110
        for size, text in ((76, title), (40, subtitle)):
            f = font(size)
            for line in _wrap(text, lambda s, f=f: draw.textlength(s, font=f), width - 160)[:2]:
                draw.text((width / 2, y), line, font=f, fill="white", anchor="mt")
                y += int(size * 1.4)
            y += 20
    raw = io.BytesIO()
    _qr(url).save(raw, kind="png", scale=1, border=4)
    qr_img = Image.open(raw).convert("L")
    side = 720
    qr_img = qr_img.resize((side, side), Image.Resampling.NEAREST)
    top = 480
    img.paste(qr_img, ((width - side) // 2, top))
    y = top + side + 40
    if font_path:
        draw.text((width / 2, y), HINT, font=ImageFont.truetype(font_path, 40), fill="black", anchor="mt")
        y += 70
    draw.text((width / 2, y), url, font=ImageFont.load_default(size=30), fill="black", anchor="mt")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


FORMATS = ("pdf", "png")


def poster_response(fmt: str, title: str, subtitle: str, url: str, filename: str):
    """The poster as a download (`fmt` pdf or png; anything else is a 404), named `filename`.<fmt>."""
    from urllib.parse import quote

    from django.http import Http404, HttpResponse

    if fmt not in FORMATS:
        raise Http404("未找到")
    body, content_type = (
        (poster_pdf(title, subtitle, url), "application/pdf")
        if fmt == "pdf"
        else (poster_png(title, subtitle, url), "image/png")
    )
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{filename}.{fmt}')}"
    return resp
