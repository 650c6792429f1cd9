"""The generated 视察/调研 report carries the findings' photos (it said only "现场照片1张，存于平台课题页面"):
each across the text width of the A4 公文 page (a portrait one narrowed to 12 cm high), with a caption
naming the finding, who took it and when, in the order they were recorded — and no location metadata."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx.shared import Cm

from zhengxie.research import services

pytestmark = pytest.mark.django_db


def _photo(name, size, gps=False) -> SimpleUploadedFile:
    from PIL import Image

    img = Image.new("RGB", size, (90, 140, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (32.0, 35.0, 10.0), 3: "E", 4: (105.0, 13.0, 40.0)}
    img.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _report(t, user):
    t.refresh_from_db()
    with t.report.file.open("rb") as fh:
        return docx.Document(io.BytesIO(fh.read()))


def test_the_generated_report_sets_the_findings_photos_with_captions(make_topic, member, user):
    t = make_topic(status="in_progress", title="农村饮水安全")
    m1, m2 = user("member1"), user("member2")
    services.add_finding(
        m1, t, content="部分村组供水管网老化，漏损严重。", photo=_photo("管网.jpg", (1600, 1200), gps=True)
    )
    services.add_finding(m2, t, content="水厂消毒设备运行记录不全。")
    services.add_finding(m2, t, photo=_photo("水厂.jpg", (600, 1200)))
    services.submit_report(
        user("office"), t, generate=True, writer_ids=[member("member1").pk], recommendations=["建议甲"]
    )
    doc = _report(t, user)
    text = [p.text for p in doc.paragraphs]

    assert "存于平台课题页面" not in "\n".join(text)
    shapes = doc.inline_shapes
    assert len(shapes) == 2
    section = doc.sections[0]
    page = section.page_width - section.left_margin - section.right_margin
    # Landscape: the text width. Portrait: no taller than 12 cm (so narrower).
    assert shapes[0].width == page
    assert abs(shapes[1].height - Cm(12)) < Cm(0.05) and shapes[1].width < page
    captions = [x for x in text if x.startswith("图")]
    assert captions[0].startswith("图1　部分村组供水管网老化，漏损严重。（问题1）（")
    taken = timezone.localtime(t.findings.first().at)  # the local day (UTC is a day behind after 16:00)
    assert captions[0].endswith(f"{m1.name}摄于{taken:%Y年%-m月%-d日}）")
    assert captions[1].startswith("图2　现场照片（") and m2.name in captions[1]
    # The photos sit under 二、发现的主要问题, before 三、意见建议.
    body = "\n".join(text)
    assert (
        body.index("二、发现的主要问题")
        < body.index("现场照片：")
        < body.index("图2")
        < body.index("三、意见建议")
    )
    # No EXIF in the pictures the report carries.
    from PIL import Image

    for rel in doc.part.rels.values():
        if "image" in rel.reltype:
            with Image.open(io.BytesIO(rel.target_part.blob)) as img:
                assert not img.getexif()


def test_a_missing_photo_file_leaves_the_report_whole(make_topic, member, user):
    t = make_topic(status="in_progress")
    f = services.add_finding(user("member1"), t, content="路面破损。", photo=_photo("路.jpg", (800, 600)))
    f.photo.file.delete(save=False)
    services.submit_report(
        user("office"), t, generate=True, writer_ids=[member("member1").pk], recommendations=["建议"]
    )
    doc = _report(t, user)
    assert len(doc.inline_shapes) == 0
    assert "1. 路面破损。" in [p.text for p in doc.paragraphs]
