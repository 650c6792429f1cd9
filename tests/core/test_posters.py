"""QR posters: a real A4 PDF and PNG whose QR code is the address, module for module."""

import base64
import io
import re
import zlib

import segno
from PIL import Image

from zhengxie.core import posters

URL = "https://zx.example.gov.cn/p/QC/studio/7/"


def _pdf_text(pdf: bytes) -> bytes:
    """The page content: the PDF's streams, inflated where compressed."""
    out = []
    for m in re.finditer(rb"\nstream\r?\n(.*?)\s*endstream", pdf, re.S):
        data = m.group(1)
        if data.rstrip().endswith(b"~>"):  # reportlab: [/ASCII85Decode /FlateDecode]
            data = base64.a85decode(data.rstrip()[:-2], adobe=False)
        out.append(zlib.decompress(data))
    return b"\n".join(out)


def test_pdf_is_one_a4_page_with_the_address_printed():
    pdf = posters.poster_pdf("城关镇委员工作室", "扫码给工作室留言 · 预约委员服务", URL)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    box = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", pdf)
    assert (round(float(box.group(1))), round(float(box.group(2)))) == (595, 842)
    content = _pdf_text(pdf)
    assert URL.encode() in content
    # The Chinese font is the built-in CID font (nothing to install on the server).
    assert b"STSong-Light" in pdf


def test_png_is_a4_at_150_dpi_and_its_qr_code_is_the_address():
    png = posters.poster_png("城关镇委员工作室", "扫码给工作室留言", URL)
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.size == (1240, 1754)
    # Read the code back: sample the middle of every module and compare with the code of URL.
    matrix = [list(row) for row in segno.make(URL, error="m", micro=False).matrix]
    n = len(matrix)
    cell = 720 / (n + 8)
    left, top = (1240 - 720) // 2, 480
    seen = [
        [img.getpixel((int(left + (c + 4.5) * cell), int(top + (r + 4.5) * cell))) < 128 for c in range(n)]
        for r in range(n)
    ]
    assert seen == [[bool(v) for v in row] for row in matrix]


def test_png_draws_the_title_only_when_a_chinese_font_exists():
    with_title = posters.poster_png("城关镇委员工作室", "扫码留言", URL)
    without = posters.poster_png("", "", URL)
    # With a CJK font the red band carries white text; without one, the band is plain either way.
    band = lambda b: Image.open(io.BytesIO(b)).convert("RGB").crop((0, 0, 1240, 410))  # noqa: E731
    differs = band(with_title).tobytes() != band(without).tobytes()
    assert differs == posters.png_has_text()


def test_long_titles_wrap_instead_of_running_off_the_page():
    lines = posters._wrap("青川县政协" * 20, len, 30)
    assert all(len(line) <= 30 for line in lines)
    assert "".join(lines) == "青川县政协" * 20
