"""Issue 14, finding 11: zip-based uploads (.docx, .xlsx) are checked for their uncompressed size and
compression ratio before they are stored or parsed."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengxie.core import uploads
from zhengxie.core.errors import Invalid

MB = 1024 * 1024


def bomb(kind: str, inflated: int, *, members: int = 1) -> bytes:
    """A small, valid-looking .docx/.xlsx with highly compressible member(s) inflating to `inflated` bytes."""
    buf = io.BytesIO()
    part = "word/document.xml" if kind == "docx" else "xl/sharedStrings.xml"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        chunk = b"\0" * MB
        for i in range(members):
            with z.open(part if i == 0 else f"{part}.{i}", "w", force_zip64=True) as f:
                for _ in range(inflated // members // MB):
                    f.write(chunk)
    return buf.getvalue()


def normal(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<w>正文</w>" * 2000)
    return buf.getvalue()


def upload(data: bytes, name: str):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_real_bomb_is_refused_with_the_default_limits():
    data = bomb("docx", 128 * MB)
    assert len(data) < 1 * MB  # small upload, within UPLOAD_MAX_BYTES
    with pytest.raises(Invalid) as exc:
        uploads.validate(upload(data, "evidence.docx"), uploads.EVIDENCE)
    assert "压缩炸弹" in exc.value.message


def test_total_uncompressed_size_is_bounded(settings):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED = 8 * MB
    settings.UPLOAD_ZIP_MAX_RATIO = 10**9  # only the total decides here
    with pytest.raises(Invalid, match="解压后过大"):
        uploads.validate(upload(bomb("xlsx", 12 * MB, members=4), "roster.xlsx"), ("xlsx",))


def test_the_ratio_is_bounded(settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 50
    with pytest.raises(Invalid, match="压缩比异常"):
        uploads.validate(upload(bomb("docx", 4 * MB), "a.docx"), uploads.DOCUMENTS)


def test_ordinary_files_pass():
    for kind in ("docx", "xlsx"):
        data, got = uploads.validate(upload(normal(kind), f"a.{kind}"), (kind,))
        assert got == kind


def test_the_roster_import_refuses_a_bomb_before_storing_or_parsing_it(user):
    from zhengxie.members import roster
    from zhengxie.members.models import RosterImport

    admin = user("admin")
    county = user("staff").organisation
    before = RosterImport.objects.count()
    with pytest.raises(Invalid, match="压缩炸弹"):
        roster.roster_import_start(
            user=admin, organisation=county, upload=upload(bomb("xlsx", 128 * MB), "名册.xlsx")
        )
    assert RosterImport.objects.count() == before


def test_evidence_attachment_refuses_a_bomb(user):
    with pytest.raises(Invalid):
        uploads.save_attachment(
            upload(bomb("docx", 128 * MB), "证明.docx"), target=None, user=user("member1"), purpose="evidence"
        )
