"""The results of a round as .xlsx (core.xlsx.Book) and the illustrated 汇编 as .docx (core.documents):
title page, the ranking table (满意 / 重点监督 marked), then per target its figures, the members' notes and
their photos (made smaller: core.documents.small_photo). Neither shows where or when a phone was, nor who rated what."""

from __future__ import annotations

import io

from django.utils import timezone

from zhengxie.core import xlsx as xlsx_mod
from zhengxie.core.documents import DocxStream, attachment_photo, docx_document, docx_font, docx_photo
from zhengxie.proposals.documents import committee_title

from .models import Round, Target

XLSX = xlsx_mod.CONTENT_TYPE
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKS = dict(Target.Mark.choices)
PHOTOS_PER_TARGET = 4


def _figure(r: Round, t: Target) -> str:
    if r.is_units:
        return f"{t.rate}%" if t.rate is not None else "—"
    return str(t.score) if t.score is not None else "—"


def results_xlsx(r: Round, targets: list[Target]) -> bytes:
    book = xlsx_mod.Book()
    sheet = book.sheet("评议结果")
    sheet.append([f"{r.title}（{r.year}年）评议结果"])
    if r.is_units:
        sheet.append(
            ["名次", "单位", "参评人数", "满意", "基本满意", "不满意", "不了解", "满意率(%)", "有效", "评定"]
        )
    else:
        sheet.append(["名次", "名称", "地址", "评议人数", "加权平均分", "照片数", "评定"])
    for t in targets:
        mark = MARKS.get(t.mark, "") if t.mark else ""
        if r.is_units:
            sheet.append(
                [
                    t.rank,
                    t.name,
                    t.ratings,
                    t.satisfied,
                    t.basically_satisfied,
                    t.unsatisfied,
                    t.unknown,
                    float(t.rate) if t.rate is not None else None,
                    "是" if t.valid else "未过半数",
                    mark,
                ]
            )
        else:
            sheet.append(
                [
                    t.rank,
                    t.name,
                    t.address,
                    t.ratings,
                    float(t.score) if t.score is not None else None,
                    t.photos,
                    mark,
                ]
            )
    return book.save()


def _para(doc, text="", *, size=14, bold=False, center=False, font="仿宋_GB2312"):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        docx_font(p.add_run(text), size=size, bold=bold, name=font)
    return p


def _intro(r: Round, targets: list[Target]) -> str:
    return (
        f"本次评议共{len(targets)}个对象，{r.rater_count}名委员受邀参评，形成评议记录{r.rating_count}条。"
        + (
            "各单位满意率按“满意”“基本满意”占作出评价人数的比例计算，参评人数未过半数的不予排名。"
            if r.is_units
            else "得分为各评分项目按权重加权后的平均分。"
        )
    )


def _ranking(r: Round, targets: list[Target]) -> list[list[str]]:
    head = ["名次", "名称", "人数", "满意率" if r.is_units else "得分", "评定"]
    return [head] + [
        [str(t.rank or "—"), t.name, str(t.ratings), _figure(r, t), MARKS.get(t.mark, "") if t.mark else ""]
        for t in targets
    ]


def _facts(r: Round, t: Target) -> str:
    facts = f"评议人数{t.ratings}人；{'满意率' if r.is_units else '加权平均分'}{_figure(r, t)}"
    if t.rank:
        facts += f"；排名第{t.rank}"
    if t.mark:
        facts += f"；评定：{MARKS[t.mark]}"
    if t.address:
        facts = f"地址：{t.address}；" + facts
    return facts + "。"


def _photo_bytes(ph) -> io.BytesIO | None:
    return attachment_photo(ph.attachment)


def booklet(
    r: Round,
    targets: list[Target],
    notes: dict,
    photos: dict,
    progress=lambda p: None,
    fmt: str = "docx",
    out=None,
) -> bytes | None:
    """The 汇编 as .docx (fmt "docx") or PDF (fmt "pdf"): the same sections, text and photos. The .docx is
    written a target at a time through core.documents.DocxStream (its photos wait on disk), to `out` (a
    binary file object) when given, else returned as bytes."""
    if fmt == "pdf":
        return _booklet_pdf(r, targets, notes, photos, progress)
    from docx.shared import Cm

    stream = DocxStream(docx_document("仿宋_GB2312"))
    doc = stream.doc
    _para(doc, f"{committee_title(r.organisation)}", size=18, center=True, font="黑体")
    _para(doc, r.title, size=26, bold=True, center=True, font="方正小标宋简体")
    _para(doc, "评议汇编", size=22, center=True, font="方正小标宋简体")
    today = timezone.localdate()
    _para(doc, f"{today.year}年{today.month}月{today.day}日", size=14, center=True)
    rated = [t for t in targets if t.ratings]
    _para(doc, _intro(r, targets))
    _para(doc, "一、评议排名", size=16, font="黑体")
    rows = _ranking(r, targets)
    table = doc.add_table(rows=1, cols=len(rows[0]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, rows[0], strict=False):
        docx_font(cell.paragraphs[0].add_run(text), size=11, bold=True, name="黑体")
    for values in rows[1:]:
        row = table.add_row().cells
        for cell, text in zip(row, values, strict=False):
            docx_font(cell.paragraphs[0].add_run(text), size=11)
    progress(20)
    _para(doc, "二、评议对象情况", size=16, font="黑体")
    for n, t in enumerate(rated or targets, 1):
        _para(doc, f"{n}. {t.name}", size=15, bold=True, font="楷体_GB2312")
        _para(doc, _facts(r, t))
        for note in notes.get(t.pk, [])[:8]:
            _para(doc, f"委员意见：{note}", size=12)
        for ph in photos.get(t.pk, [])[:PHOTOS_PER_TARGET]:
            img = _photo_bytes(ph)
            if img is not None:
                docx_photo(doc, img, width=Cm(12))
        stream.flush()
        progress(20 + 75 * n / max(len(rated or targets), 1))
    if out is None:
        return stream.bytes()
    stream.save(out)
    return None


def _booklet_pdf(r: Round, targets: list[Target], notes: dict, photos: dict, progress) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

    from zhengxie.proposals.documents import _p, _pdf_styles

    styles = _pdf_styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm, bottomMargin=35 * mm
    )
    width = A4[0] - 54 * mm
    today = timezone.localdate()
    story = [
        Spacer(1, 30 * mm),
        _p(committee_title(r.organisation), styles["center"]),
        Spacer(1, 8 * mm),
        _p(r.title, styles["title"]),
        _p("评议汇编", styles["title"]),
        Spacer(1, 12 * mm),
        _p(f"{today.year}年{today.month}月{today.day}日", styles["center"]),
        PageBreak(),
        _p(_intro(r, targets), styles["body"]),
        _p("一、评议排名", styles["h1"]),
    ]
    rows = [[_p(x, styles["cell"]) for x in row] for row in _ranking(r, targets)]
    table = Table(rows, colWidths=[width * f for f in (0.12, 0.42, 0.12, 0.17, 0.17)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, _p("二、评议对象情况", styles["h1"])]
    progress(20)
    rated = [t for t in targets if t.ratings]
    for n, t in enumerate(rated or targets, 1):
        story += [_p(f"{n}. {t.name}", styles["h"]), _p(_facts(r, t), styles["body"])]
        story += [_p(f"委员意见：{note}", styles["body"]) for note in notes.get(t.pk, [])[:8]]
        for ph in photos.get(t.pk, [])[:PHOTOS_PER_TARGET]:
            img = _photo_bytes(ph)
            if img is None:
                continue
            picture = Image(img)
            scale = min(120 * mm / picture.imageWidth, 90 * mm / picture.imageHeight)
            picture.drawWidth, picture.drawHeight = picture.imageWidth * scale, picture.imageHeight * scale
            story += [Spacer(1, 3 * mm), picture]
        progress(20 + 70 * n / max(len(rated or targets), 1))
    doc.build(story)
    return buf.getvalue()
