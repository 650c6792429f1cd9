"""The year's 社情民意 statistics as .xlsx, built in the background by the one export pipeline
(core.exports; registered when opinions.tasks is imported): sheets 总体情况, 按月份, 按作者 (the year-end
list), 按界别, 按类别 and 信息列表 (every item of the year)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from zhengxie.core import exports as core_exports
from zhengxie.core.xlsx import Book

from ..models import LEVEL_LABELS, OpinionAuthor
from . import LEVELS_DOWN, _items, check_year, levels_label, may_view, organisation_for, year_report

KIND = "opinions.stats_xlsx"
TITLE = "社情民意统计导出"
LEVEL_HEADERS = [f"{LEVEL_LABELS[lv]}采用" for lv in LEVELS_DOWN]
ITEM_COLUMNS = [
    "序号",
    "标题（编发）",
    "原标题",
    "作者",
    "界别",
    "报送单位",
    "类别",
    "状态",
    "提交时间",
    "期刊",
    "年内采用",
    "年内批示",
]


def figure_rows(report: dict) -> list[tuple[str, object]]:
    f = report["figures"]
    rows = [
        ("收到信息（篇）", f["received"]),
        ("录用（篇）", f["accepted"]),
        ("留存未录用（篇）", f["filed"]),
        ("合并（篇）", f["merged"]),
        ("编发《社情民意》（期）", f["issues"]),
        ("其中：专报（期）", report["issue_kinds"].get("special", 0)),
        ("其中：摘报（期）", report["issue_kinds"].get("digest", 0)),
    ]
    rows += [(f"{LEVEL_LABELS[lv]}采用（篇）", f["adopted"][lv]) for lv in LEVELS_DOWN]
    rows.append(("领导批示（次）", f["instructions"]))
    return rows


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def item_rows(report: dict):
    """Every item of the organisation's year, oldest first (authors prefetched per chunk)."""
    org, year = report["organisation"], report["year"]
    adopted, instructed = report["adopted_roots"], report["instructed"]
    qs = (
        _items(org, year)
        .select_related("issue")
        .prefetch_related(
            Prefetch(
                "authors",
                queryset=OpinionAuthor.objects.select_related("member__sector").order_by("order", "id"),
            )
        )
        .order_by("submitted_at", "id")
    )
    for n, o in enumerate(qs.iterator(chunk_size=1000), 1):
        authors = list(o.authors.all())
        levels = adopted.get(o.root_id, ())
        yield [
            n,
            o.display_title,
            o.title,
            "、".join(a.member.name for a in authors),
            authors[0].member.sector.name if authors else "",
            o.source_body,
            o.category,
            o.get_status_display(),
            _dt(o.submitted_at),
            o.issue.label if o.issue_id else "",
            "、".join(LEVEL_LABELS[lv] for lv in LEVELS_DOWN if lv in levels),
            instructed.get(o.root_id, 0) or "",
        ]


def stats_xlsx(report: dict, progress=None) -> bytes:
    progress = progress or (lambda value: None)
    org, year = report["organisation"], report["year"]
    wb = Book()  # titles typed by members are written as text, never as formulas

    ws = wb.sheet("总体情况")
    ws.append([f"{org.name} {year}年社情民意信息工作统计"])
    for row in figure_rows(report):
        ws.append(list(row))
    ws.append([])
    ws.append(["工作报告表述", report["sentence"]])

    ws = wb.sheet("按月份")
    ws.append(["月份", "收到", "录用", "采用", "批示"])
    for m in report["by_month"]:
        ws.append([f"{m['month']}月", m["received"], m["accepted"], m["adopted"], m["instructions"]])

    ws = wb.sheet("按作者")
    ws.append(["委员", "界别", "报送（篇）", "其中第一作者", "录用", *LEVEL_HEADERS, "采用合计", "批示"])
    for a in report["year_end"]:
        ws.append(
            [
                a["name"],
                a["sector"],
                a["submitted"],
                a["lead"],
                a["accepted"],
                *[a["adopted"][lv] for lv in LEVELS_DOWN],
                a["adopted_total"],
                a["instructions"],
            ]
        )

    ws = wb.sheet("按界别")
    ws.append(["界别", "报送委员（人）", "报送（篇）", "录用", *LEVEL_HEADERS, "采用合计", "批示"])
    for s in report["by_sector"]:
        ws.append(
            [
                s["sector"],
                s["members"],
                s["items"],
                s["accepted"],
                *[s["adopted"][lv] for lv in LEVELS_DOWN],
                s["adopted_total"],
                s["instructions"],
            ]
        )

    ws = wb.sheet("按类别")
    ws.append(["类别", "收到", "录用", "留存未录用", "采用"])
    for c in report["by_category"]:
        ws.append([c["category"], c["received"], c["accepted"], c["filed"], c["adopted"]])
    progress(20)

    ws = wb.sheet("信息列表")
    ws.append(ITEM_COLUMNS)
    total = max(report["figures"]["received"], 1)
    for n, row in enumerate(item_rows(report), 1):
        ws.append(row)
        if n % 500 == 0:
            progress(20 + 75 * n / total)
    return wb.save()


def build_stats_xlsx(user, params: dict, progress) -> tuple[str, bytes]:
    """params: year, organisation (a committee in the user's scope; theirs when absent)."""
    report = year_report(user, params.get("year"), params.get("organisation"))
    progress(10)
    data = stats_xlsx(report, progress)
    return f"{report['organisation'].name}{report['year']}年社情民意统计.xlsx", data


def title_for(report: dict) -> str:
    return f"{report['organisation'].name}{report['year']}年社情民意统计"


def stats_size(user, params: dict) -> int:
    """Rows of the item list sheet: the year's items."""
    return _items(organisation_for(user, params.get("organisation")), check_year(params.get("year"))).count()


core_exports.register(
    KIND,
    build_stats_xlsx,
    title=TITLE,
    may_start=may_view,
    back=("社情民意统计", "opinions:stats"),
    size=stats_size,
)

__all__ = ["KIND", "build_stats_xlsx", "figure_rows", "levels_label", "stats_xlsx"]
