"""The year's list as .xlsx (core.xlsx.Book) and the 重点工作进度通报 as .docx on the A4 公文 page:
the red masthead (重点工作进度通报), the issuing body (政协XX委员会办公室) and the date, a red rule; the
summary (重点工作h类i项，完成j项; on schedule, behind), then each category (一、二、…) with its tasks:
responsible unit and owner, percent against the 序时进度, light and the latest reported progress; last
the tasks behind schedule."""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core import xlsx as xlsx_mod
from zhengxie.core.documents import docx_document, docx_paragraph
from zhengxie.opinions.documents import _rule, _two_ends, cn_number
from zhengxie.proposals.documents import committee_title

from .models import KeyTask, Light, ProgressReport

XLSX = xlsx_mod.CONTENT_TYPE
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RED = "C00000"
LIGHT_LABELS = dict(Light.choices)


def latest_notes(tasks) -> dict[int, ProgressReport]:
    """The latest report of each task (one query)."""
    out: dict[int, ProgressReport] = {}
    ids = [t.pk for t in tasks]
    if not ids:
        return out
    for r in ProgressReport.objects.filter(task_id__in=ids).order_by("task_id", "-at", "-id"):
        out.setdefault(r.task_id, r)
    return out


def xlsx(tasks: list[KeyTask], year: int) -> bytes:
    notes = latest_notes(tasks)
    book = xlsx_mod.Book()
    sheet = book.sheet(f"{year}年重点工作")
    sheet.append(
        [
            "序号",
            "类别",
            "任务",
            "责任部门",
            "责任人",
            "分管领导",
            "开始日期",
            "完成时限",
            "完成进度(%)",
            "序时进度(%)",
            "亮灯",
            "状态",
            "最近进展",
            "最近报送",
        ]
    )
    for t in tasks:
        r = notes.get(t.pk)
        sheet.append(
            [
                t.number,
                t.category.name,
                t.title,
                t.owner_unit,
                t.owner.name,
                t.leader.name if t.leader_id else "",
                t.starts_on,
                t.due_on,
                t.percent,
                t.expected_percent,
                LIGHT_LABELS.get(t.light, ""),
                t.get_status_display(),
                r.note if r else "",
                timezone.localtime(t.last_reported_at).strftime("%Y-%m-%d %H:%M")
                if t.last_reported_at
                else "",
            ]
        )
    return book.save()


_para = docx_paragraph


def bulletin(organisation, year: int, tasks: list[KeyTask], board: dict) -> bytes:
    notes = latest_notes(tasks)
    today = timezone.localdate()
    doc = docx_document("仿宋_GB2312")
    _para(doc, "重点工作进度通报", size=36, bold=True, align="center", color=RED, name="方正小标宋简体")
    _para(doc, f"{year}年", size=16, align="center")
    _para(doc)
    body = f"{committee_title(organisation)}办公室" if organisation is not None else "办公室"
    line = _two_ends(doc, body, f"{today.year}年{today.month}月{today.day}日")
    _rule(line, RED, size=24)
    _para(doc)

    t = board["totals"]
    _para(
        doc,
        f"截至{today.month}月{today.day}日，{year}年{board['sentence']}；"
        f"其余{t['total'] - t['done']}项中，按序时进度推进{t['green']}项，"
        f"滞后{t['behind']}项（其中严重滞后或超期{t['red']}项）。现将各项工作进展情况通报如下。",
        indent=True,
    )
    by_cat: dict[str, list[KeyTask]] = {}
    for task in tasks:
        by_cat.setdefault(task.category.name, []).append(task)
    for n, (name, items) in enumerate(by_cat.items(), 1):
        _para(doc, f"{cn_number(n)}、{name}（{len(items)}项）", bold=True, name="黑体")
        for i, task in enumerate(items, 1):
            state = "已完成" if task.is_done else f"{LIGHT_LABELS.get(task.light, '')}"
            text = (
                f"{i}. {task.title}（责任部门：{task.owner_unit}；责任人：{task.owner.name}"
                f"{'；分管领导：' + task.leader.name if task.leader_id else ''}；"
                f"完成时限：{task.due_on.month}月{task.due_on.day}日）。"
                f"完成进度{task.percent}%，序时进度{task.expected_percent}%，{state}。"
            )
            r = notes.get(task.pk)
            if r:
                text += f"最近进展：{r.note}"
            _para(doc, text, indent=True)
    behind = [x for x in tasks if not x.is_done and x.light != Light.GREEN]
    if behind:
        _para(doc, f"{cn_number(len(by_cat) + 1)}、滞后事项", bold=True, name="黑体")
        _para(
            doc,
            "以下事项落后于序时进度，请责任部门分析原因、倒排工期，加快推进："
            + "；".join(
                f"{x.title}（{x.owner_unit}，进度{x.percent}%/序时{x.expected_percent}%）" for x in behind
            )
            + "。",
            indent=True,
        )
    if not tasks:
        _para(doc, "本年度尚未制定重点工作任务。", indent=True)
    import io

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
