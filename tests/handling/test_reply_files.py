"""What a unit attaches to its reply is the kind's (Kind.reply_file_*): a proposal-like kind keeps its one
signed 答复函 (PDF or Word); the 民主监督 整改 item takes 整改佐证 — several photos (JPEG/PNG, checked by
content and stored without EXIF/GPS) and papers — on the unit's case page, after it (补充), and over the API,
and the group that confirms sees them on its case page (thumbnails) and downloads them; nobody else does."""

# ruff: noqa: F811 (fixtures imported from the supervision tests)
from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.proposals.conftest import docx_upload, pdf_upload
from tests.supervision.conftest import county, make_group, member, today, unit  # noqa: F401
from zhengxie.core.models import Notification, Role, User
from zhengxie.handling.models import Case, Reply
from zhengxie.handling.services import flow
from zhengxie.supervision import services as supervision

from .test_flow import field_error, route

pytestmark = pytest.mark.django_db


def jpeg(name="现场.jpg", gps=True) -> SimpleUploadedFile:
    from PIL import Image

    img = Image.new("RGB", (80, 60), (120, 180, 90))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "Camera"
        exif[0x8825] = {1: "N", 2: (32.0, 35.0, 10.0), 3: "E", 4: (105.0, 13.0, 40.0)}
    img.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="整改后.png") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def fake_jpeg(name="照片.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00not a photo", content_type="image/jpeg")


def _rectification(user, make_group):
    s = make_group()
    item = supervision.add_item(user("member2"), s, list="rectification", content="延长窗口服务时间")
    handler = User.objects.filter(handling_unit_id=s.unit_id, groups__name=Role.UNIT_HANDLER).first()
    return s, item, handler


def _label(html: str, name: str) -> str:
    m = re.search(rf'<label[^>]*for="id_{name}"[^>]*>(.*?)</label>', html, flags=re.S)
    return re.sub(r"<span[^>]*>\*</span>", "", m.group(1)).strip() if m else ""


# --- the default: one signed 答复函, PDF or Word ----------------------------------------------------------


def test_a_kind_with_the_default_keeps_one_signed_letter(client_for, user, units):
    case = route(user, units)
    page = client_for("handler1").get(f"/handling/cases/{case.pk}/").content.decode()
    assert _label(page, "letter") == "答复函（已签发盖章，PDF 或 Word .docx，可稍后上传）"
    assert 'accept=".pdf,.docx"' in page and "multiple" not in re.search(
        r'<input[^>]*name="letter"[^>]*>', page
    ).group(0)
    # A photo is not a letter: the message by the field, the text kept, nothing stored.
    r = client_for("handler1").post(
        f"/handling/cases/{case.pk}/reply/", {"content": "已安排维修。", "letter": jpeg()}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert field_error(html, "letter") == ["文件类型不符：只接受 PDF、Word(.docx)，且内容须与扩展名一致。"]
    assert "已安排维修。" in html and not Reply.objects.filter(case=case).exists()
    r = client_for("handler1").post(
        f"/handling/cases/{case.pk}/reply/", {"content": "已安排维修。", "letter": pdf_upload()}
    )
    assert r.status_code == 302
    rp = Reply.objects.get(case=case)
    assert rp.letter.original_name == "答复函.pdf" and not rp.files.exists()
    # 上传答复函 afterwards replaces it.
    page = client_for("handler1").get(f"/handling/cases/{case.pk}/").content.decode()
    assert ">上传答复函</a>" in page and _label(page, "letter") == "答复函（已签发盖章，PDF 或 Word .docx）"
    r = client_for("handler1").post(f"/handling/cases/{case.pk}/attach_letter/", {"letter": docx_upload()})
    assert r.status_code == 302
    rp.refresh_from_db()
    assert rp.letter.original_name == "答复函.docx" and not rp.files.exists()


# --- 整改佐证: several photos and papers --------------------------------------------------------------


def test_the_unit_proves_its_rectification_with_photos_and_papers(client_for, user, make_group):
    s, item, handler = _rectification(user, make_group)
    unit = client_for(handler.username)
    page = unit.get(f"/handling/cases/{item.case_id}/").content.decode()
    assert _label(page, "files") == "整改佐证（照片、PDF 或 Word .docx，可选多个，可稍后上传）"
    field = re.search(r'<input[^>]*name="files"[^>]*>', page).group(0)
    assert "multiple" in field and 'accept=".pdf,.docx,image/png,image/jpeg"' in field
    assert 'name="letter"' not in page

    # A file that only claims to be a photo: named, refused, what was typed kept, nothing stored.
    r = unit.post(
        f"/handling/cases/{item.case_id}/reply/",
        {"content": "已延长至晚七点。", "files": [jpeg(), fake_jpeg()]},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert field_error(html, "files") == [
        "照片.jpg：文件类型不符：只接受 PDF、Word(.docx)、PNG 图片、JPEG 图片，且内容须与扩展名一致。"
    ]
    assert "已延长至晚七点。" in html and not Reply.objects.filter(case_id=item.case_id).exists()

    r = unit.post(
        f"/handling/cases/{item.case_id}/reply/",
        {"content": "已延长至晚七点。", "files": [jpeg(), pdf_upload("整改方案.pdf")]},
    )
    assert r.status_code == 302
    rp = Reply.objects.get(case_id=item.case_id)
    files = list(rp.files.order_by("id"))
    assert [f.original_name for f in files] == ["现场.jpg", "整改方案.pdf"] and rp.letter is None
    # The photo is kept without where the phone was (no EXIF at all).
    from PIL import Image

    with files[0].file.open("rb") as fh, Image.open(fh) as img:
        assert not img.getexif()
    item.refresh_from_db()
    assert item.status == "replied"
    timeline = Case.objects.get(pk=item.case_id).events.get(action="reply")
    assert timeline.detail == "现场.jpg、整改方案.pdf"

    # More proof afterwards (补充整改佐证): added, the group told.
    page = unit.get(f"/handling/cases/{item.case_id}/").content.decode()
    assert ">补充整改佐证</a>" in page and '<h3 class="h6">补充整改佐证</h3>' in page
    r = unit.post(f"/handling/cases/{item.case_id}/attach_letter/", {"files": [png()]})
    assert r.status_code == 302
    assert [f.original_name for f in rp.files.order_by("id")] == ["现场.jpg", "整改方案.pdf", "整改后.png"]
    told = Notification.objects.filter(user=user("member2"), title__startswith="监督整改补充了整改佐证")
    assert told.exists() and "整改后.png" in told.first().body

    # The group sees the proof on the case page (photos as thumbnails) and downloads it.
    for username in ("member2", "member1", "office"):
        html = client_for(username).get(f"/handling/cases/{item.case_id}/").content.decode()
        assert "整改佐证（3个文件）" in html
        assert f'<img src="/files/{files[0].pk}/"' in html
        assert f'href="/files/{files[1].pk}/"' in html
        assert client_for(username).get(f"/files/{files[0].pk}/").status_code == 200
    # Nobody else: another unit's handler, a member outside the group, another county.
    for username in ("handler2", "member3", "other"):
        assert client_for(username).get(f"/files/{files[0].pk}/").status_code == 404

    # Once the group has confirmed it, the proof is what it was: nothing more is offered or taken.
    supervision.confirm(user("member2"), item, accepted=True, note="整改到位")
    page = unit.get(f"/handling/cases/{item.case_id}/").content.decode()
    assert "补充整改佐证" not in page and "整改佐证（3个文件）" in page
    r = unit.post(f"/handling/cases/{item.case_id}/attach_letter/", {"files": [png()]})
    assert r.status_code == 409 and rp.files.count() == 3


def test_the_api_shows_and_takes_several_files(api_for, user, make_group):
    s, item, handler = _rectification(user, make_group)
    h = api_for(handler.username)
    r = h.post(
        f"/api/v1/handling/cases/{item.case_id}/reply",
        {"content": "已整改。"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["reply_file_label"] == "整改佐证" and r.json()["reply_file_many"] is True
    r = h.post(f"/api/v1/handling/cases/{item.case_id}/letter", {"file": [jpeg(), png()]})
    assert r.status_code == 200, r.content
    files = r.json()["replies"][0]["files"]
    assert [(f["name"], f["is_image"]) for f in files] == [("现场.jpg", True), ("整改后.png", True)]
    got = api_for("member2").get(files[0]["api_url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert api_for("handler2").get(files[0]["api_url"]).status_code == 404
    r = h.post(f"/api/v1/handling/cases/{item.case_id}/letter", {"file": [fake_jpeg()]})
    assert r.status_code == 422 and r.json()["detail"].startswith("照片.jpg：文件类型不符")


def test_a_proposal_reply_still_takes_only_its_letter(user, proposal_in):
    from zhengxie.core.errors import Invalid
    from zhengxie.proposals import services

    p = proposal_in("handling")
    with pytest.raises(Invalid, match="文件类型不符"):
        services.proposal_reply(
            user=user("handler1"), proposal=p, result_class="A", content="已采纳。", letter=jpeg()
        )


def test_with_signoff_the_proof_waits_on_the_draft_and_goes_with_the_signed_reply(
    client_for, user, make_group
):
    from tests.handling.helpers import new_handler
    from tests.handling.test_signoff import signoff_on
    from zhengxie.core.models import HandlingUnit
    from zhengxie.handling.models import ReplyDraft

    signoff_on("supervision")
    s, item, handler = _rectification(user, make_group)
    head = new_handler("weijianhead", HandlingUnit.objects.get(pk=s.unit_id), head=True)
    unit = client_for(handler.username)
    r = unit.post(
        f"/handling/cases/{item.case_id}/reply/", {"content": "已整改。", "files": [jpeg(), pdf_upload()]}
    )
    assert r.status_code == 302
    d = ReplyDraft.objects.get(case_id=item.case_id)
    photo = d.files.order_by("id").first()
    assert [f.original_name for f in d.files.order_by("id")] == ["现场.jpg", "答复函.pdf"]
    assert "整改佐证：现场.jpg、答复函.pdf" in unit.get(f"/handling/cases/{item.case_id}/").content.decode()
    # Before 签发 only the unit sees the proof.
    assert client_for("member2").get(f"/files/{photo.pk}/").status_code == 404
    flow.sign(user=head, case=item.case_id, decision="sign")
    rp = Reply.objects.get(case_id=item.case_id)
    assert [f.original_name for f in rp.files.order_by("id")] == ["现场.jpg", "答复函.pdf"]
    assert client_for("member2").get(f"/files/{photo.pk}/").status_code == 200
