"""The 落实台账 (follow-ups of B-class replies) as .xlsx, built in the background like the proposal list
(a kind of the one export pipeline, `zhengxie.core.exports`: an Export row, an audit entry, the core's
progress page, only its owner downloads it).

The rows are the ledger page's (selectors.followup.followup_list with the same filters, scoped to the user
when the file is built); the latest progress report comes with one extra query per 500 rows.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from zhengxie.core import exports as core_exports
from zhengxie.core.xlsx import Book

from .. import exports
from ..models import FollowUpReport

FOLLOWUP_XLSX = "proposals.followup_xlsx"
COLUMNS = [
    "案号",
    "案由",
    "会次",
    "承办单位",
    "答复时间",
    "计划完成时间",
    "状态",
    "是否逾期",
    "最近进展",
    "报告次数",
    "确认时间",
]
SUMMARY = 100  # characters of the latest report in 最近进展
CHUNK = 500


def _latest_report() -> Prefetch:
    """Only each follow-up's latest report (reports are written in time order, so the highest id)."""
    later = FollowUpReport.objects.filter(followup_id=OuterRef("followup_id"), pk__gt=OuterRef("pk"))
    return Prefetch(
        "reports",
        queryset=FollowUpReport.objects.filter(~Exists(later)).only("id", "followup_id", "content", "at"),
        to_attr="latest_reports",
    )


def _summary(report) -> str:
    if report is None:
        return ""
    text = re.sub(r"\s+", " ", report.content).strip()
    if len(text) > SUMMARY:
        text = text[:SUMMARY] + "…"
    return f"{timezone.localtime(report.at):%Y-%m-%d} {text}"


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def ledger_rows(followups):
    """One row per follow-up of `followups` (from followup_list, with _latest_report prefetched)."""
    for f in followups:
        p = f.case.proposal
        latest = f.latest_reports[0] if f.latest_reports else None
        yield [
            p.number_label if p.number else "",
            p.title,
            p.session.name,
            f.assignment.unit.name,
            exports._dt(f.reply.replied_at),
            _date(f.planned_date),
            f.get_status_display(),
            "是" if f.overdue else "否",
            _summary(latest),
            f.report_count,
            exports._dt(f.confirmed_at),
        ]


def ledger_workbook(user, filters: dict, progress=None) -> bytes:
    from ..selectors.followup import followup_list

    qs = followup_list(user, **filters).prefetch_related(_latest_report())
    total = qs.count() or 1
    book = Book()
    ws = book.sheet("跟踪落实台账")
    ws.append(COLUMNS)
    for i, row in enumerate(ledger_rows(qs.iterator(chunk_size=CHUNK)), 1):
        ws.append(row)
        if progress is not None and i % 200 == 0:
            progress(95 * i / total)
    return book.save()


def may_export_ledger(user) -> bool:
    from ..selectors.followup import can_view_ledger

    return can_view_ledger(user)


def _filters(user, params: dict) -> dict:
    from ..forms.followup import FollowUpFilterForm

    return FollowUpFilterForm(params, user=user).filters()


def followup_size(user, params: dict) -> int:
    from ..selectors.followup import followup_list

    return followup_list(user, **_filters(user, params)).count()


def build_followup_xlsx(user, params: dict, progress) -> tuple[str, bytes]:
    """The ledger filtered by `params` (the ledger page's query string), as the user sees it."""
    data = ledger_workbook(user, _filters(user, params), progress=progress)
    return f"B类提案跟踪落实台账-{timezone.localdate():%Y%m%d}.xlsx", data


core_exports.register(
    FOLLOWUP_XLSX,
    build_followup_xlsx,
    title="B类提案跟踪落实台账导出",
    may_start=may_export_ledger,
    back=("跟踪落实台账", "proposals:followup_ledger"),
    size=followup_size,
)
