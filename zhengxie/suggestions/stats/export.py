"""The year's 微建议 statistics as .xlsx (core.exports, written through core.xlsx.Book): 总体情况, 按月份
and 微建议列表 (every suggestion of the year, without personal data)."""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core import exports as core_exports
from zhengxie.core import xlsx

from . import _year_items, check_year, may_view, organisation_for, percent, year_report

KIND = "suggestions.stats_xlsx"
TITLE = "微建议统计导出"


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def stats_xlsx(report: dict, progress=None) -> bytes:
    progress = progress or (lambda value: None)
    f = report["figures"]
    book = xlsx.Book()
    sheet = book.sheet("总体情况")
    sheet.append([f"{report['organisation'].name} {report['year']}年微建议办理统计"])
    for label, value in [
        ("收到（条）", f["received"]),
        ("不予受理（条）", f["rejected"]),
        ("已交办（条）", f["routed"]),
        ("已答复（条）", f["replied"]),
        ("办结（条）", f["closed"]),
        ("按期答复（条）", f["answered_in_time"]),
        ("已评价（条）", f["rated"]),
        ("满意率（%）", percent(f["satisfaction"])),
    ]:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(["工作报告表述", report["sentence"]])
    sheet = book.sheet("按月份")
    sheet.append(["月份", "收到", "已答复", "办结"])
    for m in report["by_month"]:
        sheet.append([f"{m['month']}月", m["received"], m["replied"], m["closed"]])
    progress(30)
    sheet = book.sheet("微建议列表")
    sheet.append(
        ["编号", "标题", "状态", "提交时间", "交办对象", "答复单位", "答复时间", "按期", "评价", "已公开"]
    )
    qs = _year_items(report["organisation"], report["year"]).order_by("created_at", "id")
    for s in qs.iterator(chunk_size=1000):
        sheet.append(
            [
                s.pk,
                s.title,
                s.get_status_display(),
                _dt(s.created_at),
                f"{s.get_routed_to_display()}：{s.routed_label}".rstrip("：") if s.routed_to else "",
                s.reply_by_label,
                _dt(s.replied_at),
                {True: "是", False: "否"}.get(s.reply_on_time, ""),
                s.get_rating_display() if s.rating else "",
                "是" if s.published else "",
            ]
        )
    return book.save()


def build_stats_xlsx(user, params: dict, progress) -> tuple[str, bytes]:
    org = organisation_for(user, params.get("organisation"))
    report = year_report(org, params.get("year"))
    progress(10)
    return f"{org.name}{report['year']}年微建议统计.xlsx", stats_xlsx(report, progress)


def stats_size(user, params: dict) -> int:
    """Rows of the list sheet: the year's suggestions."""
    org = organisation_for(user, params.get("organisation"))
    return _year_items(org, check_year(params.get("year"))).count()


core_exports.register(
    KIND,
    build_stats_xlsx,
    title=TITLE,
    may_start=may_view,
    back=("微建议统计", "suggestions:stats"),
    size=stats_size,
)
