"""The supervision report (民主监督报告) as a .docx on the A4 公文 page: the masthead, the group (unit,
leader, members, period), the three lists numbered 一、二、… with each 整改 item's status, and the group's
rating of the unit per aspect (counts, result, 满意率, valid or not). The wording helpers are the ones the
社情民意 issue and the 协商成果 report use, so all read alike."""

from __future__ import annotations

import io

from django.utils import timezone

from zhengxie.core.documents import docx_document, docx_paragraph, paragraphs
from zhengxie.core.verdicts import Verdict
from zhengxie.opinions.documents import RED, _rule, _two_ends, cn_number
from zhengxie.proposals.documents import committee_title

from .models import Item

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def filename(s) -> str:
    return f"{s.title}报告.docx".replace("/", "／")


def report_docx(s, lists: dict, summary: dict) -> bytes:
    """`lists`: {list: [Item]} (selectors.lists); `summary`: services.rating_summary."""
    doc = docx_document("仿宋_GB2312")
    body = f"{committee_title(s.organisation)}办公室"
    docx_paragraph(
        doc, "民主监督工作报告", size=36, bold=True, align="center", color=RED, name="方正小标宋简体"
    )
    docx_paragraph(doc)
    head = _two_ends(doc, body, _date(timezone.localdate()))
    _rule(head, RED, size=24)
    docx_paragraph(doc)
    docx_paragraph(doc, s.title, size=22, align="center", name="方正小标宋简体")
    docx_paragraph(
        doc,
        f"（监督期：{_date(s.starts_on)}至{_date(s.ends_on)}）",
        size=14,
        align="center",
        name="楷体_GB2312",
    )
    docx_paragraph(doc)
    docx_paragraph(doc, "一、监督小组", size=16, bold=True, name="黑体")
    members = "、".join(m.name for m in s.members.all()) or "—"
    for line in (
        f"被监督单位：{s.unit.name}",
        f"组长：{s.leader.name}",
        f"成员：{members}",
        f"联络员：{s.staff_contact.name if s.staff_contact_id else '—'}",
        f"状态：{s.get_status_display()}",
    ):
        docx_paragraph(doc, line, size=16, indent=True)
    for n, (key, label) in enumerate(Item.List.choices, 2):
        docx_paragraph(doc, f"{cn_number(n)}、{label}", size=16, bold=True, name="黑体")
        items = lists.get(key, [])
        if not items:
            docx_paragraph(doc, "无。", size=16, indent=True)
        for i in items:
            lines = paragraphs(i.content) or [""]
            docx_paragraph(doc, f"{i.number}. {lines[0]}", size=16, indent=True, align="justify")
            for text in lines[1:]:
                docx_paragraph(doc, text, size=16, indent=True, align="justify")
            if key == Item.List.RECTIFICATION:
                due = f"，整改期限 {_date(i.deadline)}" if i.deadline else ""
                docx_paragraph(
                    doc,
                    f"（整改情况：{i.get_status_display()}{due}）",
                    size=14,
                    align="right",
                    name="楷体_GB2312",
                )
    docx_paragraph(doc, "五、评议结果", size=16, bold=True, name="黑体")
    labels = dict(Verdict.choices)
    docx_paragraph(doc, f"监督小组共{summary['group_size']}人。", size=16, indent=True)
    for a in summary["aspects"]:
        counts = "、".join(f"{labels[k]}{a['counts'].get(k, 0)}票" for k in Verdict.values)
        rate = f"，满意率{a['satisfaction_rate']}%" if a["satisfaction_rate"] is not None else ""
        valid = "有效" if a["valid"] else "参评人数未过半，无效"
        result = a["result_label"] or "—"
        docx_paragraph(
            doc, f"{a['aspect']}：{counts}；结果：{result}{rate}（{valid}）。", size=16, indent=True
        )
    docx_paragraph(doc)
    printed = _two_ends(doc, body, f"{_date(timezone.localdate())}印发")
    _rule(printed, "000000", size=8, where="top")
    _rule(printed, "000000", size=8)
    doc.core_properties.title = s.title
    doc.core_properties.author = body
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
