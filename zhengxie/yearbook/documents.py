"""The year's figures as .xlsx (a row per figure: part, figure, this year, last year, change, definition)
and as the .docx "年度工作数据" on the A4 公文 page: the title, the committee and the date, the work
report's sentences, then each part (一、二、…) as a table of its figures with their definitions."""

from __future__ import annotations

import io

from django.utils import timezone

from zhengxie.core import xlsx as xlsx_mod
from zhengxie.core.documents import docx_document, docx_font, docx_paragraph
from zhengxie.opinions.documents import cn_number
from zhengxie.proposals.documents import committee_title

from .tables import compare

XLSX = xlsx_mod.CONTENT_TYPE
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _shown(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value}{unit}" if unit == "%" else f"{value}"


def xlsx(committee, year: int, snap, prev) -> bytes:
    book = xlsx_mod.Book()
    sheet = book.sheet(f"{year}年度工作数据")
    sheet.append(["板块", "指标", f"{year}年", f"{year - 1}年", "同比增减", "单位", "统计口径"])
    for p in compare(snap.parts, prev.parts, links=False):
        for r in p["rows"]:
            sheet.append(
                [p["title"], r["label"], r["value"], r["last"], r["change"], r["unit"], r["definition"]]
            )
    sheet.append([])
    sheet.append([f"统计时间：{timezone.localtime(snap.computed_at):%Y-%m-%d %H:%M}（{committee.name}）"])
    return book.save()


_para = docx_paragraph


def docx(committee, year: int, snap, prev) -> bytes:
    doc = docx_document("仿宋_GB2312")
    _para(doc, f"{committee_title(committee)}", size=22, align="center", name="方正小标宋简体")
    _para(doc, f"{year}年度工作数据", size=22, bold=True, align="center", name="方正小标宋简体")
    at = timezone.localtime(snap.computed_at)
    _para(doc, f"（统计截至{at.year}年{at.month}月{at.day}日{at.hour}时）", size=14, align="center")
    _para(doc)
    _para(doc, "一、工作报告主要数据", bold=True, name="黑体")
    sentences = [p["sentence"] for p in snap.parts if p["sentence"]]
    for s in sentences or ["本年度暂无统计数据。"]:
        _para(doc, s, indent=True)
    for n, p in enumerate(compare(snap.parts, prev.parts, links=False), 2):
        _para(doc, f"{cn_number(n)}、{p['title']}", bold=True, name="黑体")
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ["指标", f"{year}年", f"{year - 1}年", "同比", "统计口径"], strict=True
        ):
            docx_font(cell.paragraphs[0].add_run(text), size=10.5, bold=True, name="黑体")
        for r in p["rows"]:
            cells = table.add_row().cells
            change = "" if r["change"] is None else f"{r['change']:+}"
            for cell, text in zip(
                cells,
                [
                    f"{r['label']}（{r['unit']}）" if r["unit"] and r["unit"] != "%" else r["label"],
                    _shown(r["value"], r["unit"]),
                    _shown(r["last"], r["unit"]),
                    change,
                    r["definition"],
                ],
                strict=True,
            ):
                docx_font(cell.paragraphs[0].add_run(str(text)), size=10.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
