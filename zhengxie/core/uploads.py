"""Upload validation: size limit, type sniffed from the content (not the name), zip bombs refused (the
uncompressed size and ratio of .docx/.xlsx), generated file name."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.http import FileResponse

from .errors import Invalid
from .models import Attachment

KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word(.docx)"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel(.xlsx)"),
    "png": ("image/png", "PNG 图片"),
    "jpg": ("image/jpeg", "JPEG 图片"),
}
DOCUMENTS = ("pdf", "docx")
IMAGES = ("png", "jpg")
EVIDENCE = DOCUMENTS + IMAGES
ZIP_KINDS = ("docx", "xlsx")  # zip containers: checked for zip bombs (check_zip) before stored or parsed


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb before anything inflates it: a .docx/.xlsx whose members together inflate past
    UPLOAD_ZIP_MAX_UNCOMPRESSED bytes, one member that inflates more than UPLOAD_ZIP_MAX_RATIO times its
    compressed size, or more than UPLOAD_ZIP_MAX_MEMBERS members. The sizes are those the archive declares:
    Python's zipfile (and so openpyxl and python-docx) never inflates a member past its declared size."""
    max_total = settings.UPLOAD_ZIP_MAX_UNCOMPRESSED
    max_ratio = settings.UPLOAD_ZIP_MAX_RATIO
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Invalid("文件已损坏，无法读取。", field="file")
    if len(infos) > settings.UPLOAD_ZIP_MAX_MEMBERS:
        raise Invalid("文件内部结构异常（包含的部件过多），已拒绝。", field="file")
    total = 0
    for info in infos:
        total += info.file_size
        if total > max_total:
            raise Invalid(
                f"文件解压后过大（超过 {max_total // (1024 * 1024)} MB），疑似压缩炸弹，已拒绝。",
                field="file",
            )
        if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise Invalid("文件压缩比异常（疑似压缩炸弹），已拒绝。", field="file")


def validate(upload, allowed: tuple[str, ...], max_bytes: int | None = None) -> tuple[bytes, str]:
    """Return (content, kind) or raise Invalid with a Chinese message."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise Invalid("请选择要上传的文件。", field="file")
    if upload.size > max_bytes:
        raise Invalid(f"文件过大：不能超过 {max_bytes // (1024 * 1024)} MB。", field="file")
    data = upload.read()
    if not data:
        raise Invalid("文件是空的。", field="file")
    kind = sniff(data)
    ext = PurePath(upload.name or "").suffix.lower().lstrip(".").replace("jpeg", "jpg")
    names = "、".join(KINDS[k][1] for k in allowed)
    if kind not in allowed:
        raise Invalid(f"文件类型不符：只接受 {names}，且内容须与扩展名一致。", field="file")
    if ext != kind:
        raise Invalid(f"文件扩展名 .{ext or '?'} 与其内容（{KINDS[kind][1]}）不符。", field="file")
    if kind in ZIP_KINDS:
        check_zip(data)
    return data, kind


MAX_PIXELS = 40_000_000  # a photo larger than this is refused before it is decoded (a pixel bomb)


def clean_image(data: bytes, kind: str) -> bytes:
    """The photo re-encoded without its metadata (EXIF: GPS position, camera, time), turned upright first.

    A member's on-site photo keeps its place and time on the rating record; the picture itself is shown
    in lists and booklets, so it must not carry where the phone was."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise Invalid("图片像素过大，请压缩后再上传。", field="file")
            img = ImageOps.exif_transpose(img)
            if kind == "jpg" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = io.BytesIO()
            img.save(
                out, format="JPEG" if kind == "jpg" else "PNG", **({"quality": 88} if kind == "jpg" else {})
            )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Invalid("图片已损坏或无法识别，请重新拍摄或选择图片。", field="file") from exc
    return out.getvalue()


def save_attachment(
    upload, *, target, user, purpose: str = "", allowed=EVIDENCE, strip_metadata: bool = False
) -> Attachment:
    """Validate and store an upload. ``strip_metadata`` re-encodes images without EXIF (see clean_image)."""
    data, kind = validate(upload, allowed)
    if strip_metadata and kind in IMAGES:
        data = clean_image(data, kind)
    name = PurePath(upload.name).name[:200]
    att = Attachment(
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        purpose=purpose,
        organisation=getattr(target, "organisation", None) or user.organisation,
        original_name=name,
        mime_type=KINDS[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    att.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
    att.save()
    return att


def download(att: Attachment) -> FileResponse | None:
    """The stored file as a download under its own name and type; None when the file is gone from storage
    (the caller answers 404 its own way). The caller has checked who may have it."""
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        return None
    return FileResponse(fh, as_attachment=True, filename=att.original_name, content_type=att.mime_type)
