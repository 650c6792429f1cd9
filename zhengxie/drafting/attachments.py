"""Advice on a draft's attachments: a file that is not what it claims. Each stored file is read again and
its content sniffed (core.uploads.sniff, the same check the upload made) against its name's extension and
its recorded type; a Word file is opened and its text read (python-docx), a PDF's structure looked at
(pages, fonts, text operators: no PDF text library is installed, so a PDF's own words are not compared).

    advise(attachments, body) -> [Advice]

Rules: the content is not the kind the name says (an old upload, a renamed file); an empty or unreadable
document; an image whose name says it is a report or a document (调研报告.jpg); a PDF without any text
(a scan: the reviewers cannot search or quote it); a Word file that repeats the body (nothing added).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from zhengxie.core.uploads import IMAGES, KINDS, sniff

from .advice import INFO, WARNING, Advice

READ_MAX = 20 * 1024 * 1024
# Words in a file name that promise a written document rather than a picture.
DOCUMENT_WORDS = re.compile(
    r"报告|调研|调查|方案|材料|说明|论证|建议|提案|汇报|分析|情况|总结|意见|数据|统计|附件\d*$"
)
REPEAT_SHARE = 0.8  # the file's text holds this share of the body's character pairs: it repeats the body


def _pairs(text: str) -> set[str]:
    t = re.sub(r"\W+", "", text or "")
    return {t[i : i + 2] for i in range(len(t) - 1)}


def docx_text(data: bytes) -> str | None:
    """The paragraphs' and tables' text of a .docx, or None when it cannot be opened."""
    try:
        import docx

        d = docx.Document(io.BytesIO(data))
    except Exception:
        return None
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(p for p in parts if p and p.strip())


def pdf_facts(data: bytes) -> dict:
    """What a PDF's bytes show without a PDF library: pages, fonts (text drawn with them), images, and
    whether it ends like a PDF. Compressed streams are not inflated: fonts and pages are named in the
    (mostly uncompressed) object dictionaries."""
    return {
        "pages": len(re.findall(rb"/Type\s*/Page(?!s)", data)),
        "fonts": bool(re.search(rb"/Font\b", data)),
        "images": bool(re.search(rb"/Subtype\s*/Image", data)),
        "complete": b"%%EOF" in data[-2048:],
    }


def _read(att) -> bytes | None:
    try:
        with att.file.open("rb") as fh:
            return fh.read(READ_MAX)
    except (OSError, ValueError):
        return None


def advise(attachments, body: str = "") -> list[Advice]:
    out: list[Advice] = []
    body_pairs = _pairs(body)
    for att in attachments:
        name = att.original_name or ""
        stem = PurePath(name).stem
        ext = PurePath(name).suffix.lower().lstrip(".").replace("jpeg", "jpg")
        data = _read(att)
        detail = {"attachment_id": att.pk, "name": name}

        def add(code, level, message, name=name, detail=detail):
            out.append(Advice(code, level, "attachments", f"附件“{name}”{message}", detail=dict(detail)))

        if not data:
            add("attachment_empty", WARNING, "是空文件或已无法读取，请重新上传。")
            continue
        kind = sniff(data)
        claimed = {v[0]: k for k, v in KINDS.items()}.get(att.mime_type)
        if kind is None:
            add("attachment_unreadable", WARNING, "无法识别文件内容（可能已损坏），请重新导出后上传。")
            continue
        if kind != ext or (claimed and claimed != kind):
            add(
                "attachment_mismatch",
                WARNING,
                f"名为 .{ext or '?'} 文件，实际内容是{KINDS[kind][1]}，请确认上传的是想要的文件。",
            )
        if kind in IMAGES and DOCUMENT_WORDS.search(stem):
            add(
                "attachment_image_as_document",
                WARNING,
                "名称像一份文字材料，却是一张图片；如有报告原件，请上传 Word 或 PDF，便于审查和引用。",
            )
        if kind == "docx":
            text = docx_text(data)
            if text is None:
                add("attachment_unreadable", WARNING, "无法打开（文件可能已损坏），请重新保存后上传。")
            elif not text.strip():
                add("attachment_empty", WARNING, "没有任何文字内容，请检查是否传错了文件。")
            elif body_pairs and len(body_pairs) >= 20:
                share = len(body_pairs & _pairs(text)) / len(body_pairs)
                if share >= REPEAT_SHARE and len(_pairs(text)) <= 1.5 * len(body_pairs):
                    add(
                        "attachment_repeats_body",
                        INFO,
                        "与正文内容基本相同，可不必重复上传；附件宜放调研报告、数据、照片等佐证材料。",
                    )
        elif kind == "pdf":
            facts = pdf_facts(data)
            if not facts["complete"] or not facts["pages"]:
                add(
                    "attachment_unreadable",
                    WARNING,
                    "不是完整的 PDF（没有页面或文件被截断），请重新导出后上传。",
                )
            elif not facts["fonts"]:
                add(
                    "attachment_scanned",
                    INFO,
                    "是扫描件（没有可检索的文字）；如有电子版，请一并上传，便于审查和引用。",
                )
        elif kind == "xlsx":
            try:
                zipfile.ZipFile(io.BytesIO(data)).namelist()
            except zipfile.BadZipFile:
                add("attachment_unreadable", WARNING, "无法打开，请重新保存后上传。")
    return out
