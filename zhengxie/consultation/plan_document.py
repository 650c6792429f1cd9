"""The year's consultation plan (年度协商计划) as an official .docx on the A4 公文 page.

Layout, top to bottom: the issuing committee's masthead in red (政协XX县委员会文件) with the 文号 under it and
a red rule; the title (政协XX县委员会2026年度协商计划) in 小标宋; the note in paragraphs; then, per form in
the forms' order, a heading 一、二、… (全体会议协商, 常委会专题协商, …) and a table: 序号, 协商议题, 计划时间,
牵头专委会, 牵头领导; last the 版记 (who issued it when) between black rules. The wording helpers come from
the 社情民意 issue (opinions/documents.py), so the documents read alike.
"""

from __future__ import annotations

import io

from django.utils import timezone

from zhengxie.core.documents import docx_document, docx_font, paragraphs
from zhengxie.opinions.documents import RED, _para, _rule, _two_ends, cn_number
from zhengxie.proposals.documents import committee_title

from .models import Plan
from .services import topics as services

HEADERS = ("序号", "协商议题", "计划时间", "牵头专委会", "牵头领导")
WIDTHS_CM = (1.4, 7.2, 2.2, 3.0, 2.0)


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def issuing_body(plan: Plan) -> str:
    return f"{committee_title(plan.organisation)}办公室"


def filename(plan: Plan) -> str:
    return f"{plan.title}.docx".replace("/", "／")


def _cell(cell, text: str, *, bold=False, name="仿宋_GB2312", size=12) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.text = ""
    p = cell.paragraphs[0]
    if bold:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx_font(p.add_run(text or "—"), size=size, bold=bold, name=name)


def _table(doc, rows) -> None:
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, HEADERS, WIDTHS_CM, strict=True):
        cell.width = Cm(width)
        _cell(cell, text, bold=True, name="黑体")
    for n, c in enumerate(rows, 1):
        values = (
            str(n),
            c.title,
            f"{c.planned_month}月",
            c.lead_committee.name if c.lead_committee_id else "",
            c.leader.name if c.leader_id else "",
        )
        cells = table.add_row().cells
        for cell, text, width in zip(cells, values, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
            _cell(cell, text)


def plan_docx(plan: Plan, rows=None) -> bytes:
    """The plan; `rows` as loaded by services.topics.plan_rows (else loaded here, one query)."""
    rows = services.plan_rows(plan.organisation, plan.year) if rows is None else list(rows)
    doc = docx_document("仿宋_GB2312")
    body = committee_title(plan.organisation)

    # 版头
    _para(doc, f"{body}文件", size=36, bold=True, align="center", color=RED, name="方正小标宋简体")
    _para(doc)
    number = _para(doc, plan.document_number or "", size=16, align="center")
    _rule(number, RED, size=24)
    _para(doc)

    # 正文
    _para(doc, plan.title, size=22, align="center", name="方正小标宋简体")
    _para(doc)
    for text in paragraphs(plan.note):
        _para(doc, text, size=16, indent=True, align="justify")
    if not rows:
        _para(doc, "本年度暂未安排协商活动。", size=16, indent=True)
    for n, group in enumerate(services.by_form(rows), 1):
        _para(doc)
        _para(
            doc,
            f"{cn_number(n)}、{group['label']}（{len(group['rows'])}项）",
            size=16,
            bold=True,
            name="黑体",
        )
        _table(doc, group["rows"])
    _para(doc)
    when = plan.issued_at or plan.approved_at or plan.created_at or timezone.now()
    _para(doc, body, size=16, align="right")
    _para(doc, _date(timezone.localtime(when)), size=16, align="right")
    _para(doc)

    # 版记
    printed = _two_ends(doc, issuing_body(plan), f"{_date(timezone.localtime(when))}印发", size=14)
    _rule(printed, "000000", size=8, where="top")
    _rule(printed, "000000", size=8)

    doc.core_properties.title = plan.title
    doc.core_properties.author = issuing_body(plan)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
