"""Photos are shown outside the page they were taken on, so they lose their EXIF (GPS) when stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengxie.core import uploads
from zhengxie.core.errors import Invalid


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 15.0, 10.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_clean_image_drops_gps_and_camera():
    data = _jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    cleaned = uploads.clean_image(data, "jpg")
    with Image.open(io.BytesIO(cleaned)) as img:
        assert not img.getexif()
        assert img.size == (64, 48)


def test_clean_image_turns_a_rotated_photo_upright():
    img = Image.new("RGB", (60, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(uploads.clean_image(out.getvalue(), "jpg"))) as shown:
        assert shown.size == (20, 60)


def test_broken_photo_is_refused_in_chinese():
    with pytest.raises(Invalid, match="图片已损坏"):
        uploads.clean_image(b"\xff\xd8\xff" + b"\x00" * 100, "jpg")


@pytest.mark.django_db
def test_saved_photo_has_no_metadata(user):
    upload = SimpleUploadedFile("site.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    att = uploads.save_attachment(
        upload, target=None, user=user("member1"), allowed=uploads.IMAGES, strip_metadata=True
    )
    with att.file.open("rb") as fh, Image.open(fh) as img:
        assert not img.getexif()
    assert att.size == att.file.size
