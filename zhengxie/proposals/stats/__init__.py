"""Yearly figures of a session's proposals (domain.md, "Closing and results"), with aggregate queries only.

- 提交 submitted: every proposal past the draft / co-signing stage;
- 立案 accepted (and 立案率 = accepted ÷ submitted);
- 办复率 = replied on time ÷ accepted (a proposal with a reply marked 按期);
- 满意率 = (满意 + 基本满意) ÷ evaluated, counting each signer's rating of each unit's latest reply;
- A/B/C shares of the latest replies (one per replying unit: the lead unit, or each 分办 unit);
- the same by handling unit (主办/分办 assignments) and by category.
- 跟踪落实 of B-class replies: open, awaiting confirmation, confirmed, overdue, also by unit (stats/followup.py).

`session_stats` runs a fixed number of queries whatever the number of proposals.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from zhengxie.core import audit, datacache, orgsettings
from zhengxie.core.charts import named_bars_option, pie_option
from zhengxie.core.permissions import in_scope, org_scope_q
from zhengxie.core.xlsx import Book

from ..documents import ACCEPTED_STATES
from ..lights import REPLYING_ROLES
from ..models import Assignment, Evaluation, Proposal, Reply
from ..workflow import NOT_SUBMITTED
from .followup import followup_figures

GOOD = (Evaluation.Rating.SATISFIED, Evaluation.Rating.BASICALLY_SATISFIED)


def pct(n, d) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100.0 * n / d, 1) if d else None


def _on_time_reply():
    return Exists(Reply.objects.filter(case_id=OuterRef("case_id"), on_time=True))


RATING_KEYS = {
    Evaluation.Rating.SATISFIED: "satisfied",
    Evaluation.Rating.BASICALLY_SATISFIED: "basically",
    Evaluation.Rating.UNSATISFIED: "unsatisfied",
}


def session_stats(user, session) -> dict:
    """Everything the statistics page, the dashboard and the .xlsx export show for one session."""
    # A session's proposals all belong to its organisation: one scope check instead of a join per row.
    # Out of scope: an id no row has (None would match every row without a session, e.g. 批示落实 cases).
    return session_figures(session, session.pk if in_scope(user, session.organisation) else 0)


def session_figures(session, sid: int) -> dict:
    """session_stats without the caller's scope check (the yearbook counts for the committee itself).

    Kept per data version (core.datacache, kind "proposals"): recomputed after a committed write to the
    proposals or their handling rows, not on every request. The key is the session's id as the caller
    scoped it (0 when out of scope), the settings read and the day (跟踪落实's 逾期)."""
    org = session.organisation
    classes = tuple(orgsettings.get(org, "proposals.result_classes"))
    order = tuple(orgsettings.get(org, "proposals.categories"))
    key = ("session_figures", sid, classes, order, timezone.localdate().isoformat())
    figures = datacache.cached("proposals", key, lambda: _session_figures(sid, classes, order))
    return {"session": session, **figures}


def _session_figures(sid: int, result_classes, order) -> dict:
    proposals = Proposal.objects.filter(session_id=sid)
    accepted_q = Q(status__in=ACCEPTED_STATES)

    # 1. Totals, and 7. by category: one pass over the session's proposals, grouped by category.
    # (Every part below reads each table once: at 10,000 proposals a session, each pass costs 10-30 ms.)
    counts = dict(
        total=Count("id"),
        submitted=Count("id", filter=~Q(status__in=NOT_SUBMITTED)),
        accepted=Count("id", filter=accepted_q),
        rejected=Count("id", filter=Q(status=Proposal.Status.REJECTED)),
        converted=Count("id", filter=Q(status=Proposal.Status.CONVERTED)),
        merged=Count("id", filter=Q(status=Proposal.Status.MERGED)),
        pending=Count("id", filter=Q(status=Proposal.Status.SUBMITTED)),
        handling=Count(
            "id",
            filter=Q(
                status__in=(Proposal.Status.ASSIGNED, Proposal.Status.HANDLING, Proposal.Status.REHANDLING)
            ),
        ),
        replied=Count("id", filter=accepted_q & Q(replied_at__isnull=False)),
        on_time=Count("id", filter=accepted_q & _on_time_reply()),
        closed=Count("id", filter=Q(status=Proposal.Status.CLOSED)),
        key=Count("id", filter=Q(is_key=True)),
        excellent=Count("id", filter=Q(is_excellent=True)),
        red=Count("id", filter=Q(light=Proposal.Light.RED)),
        yellow=Count("id", filter=Q(light=Proposal.Light.YELLOW)),
        green=Count("id", filter=Q(light=Proposal.Light.GREEN)),
    )
    by_cat_rows = list(proposals.values("category").annotate(**counts).order_by())
    totals = {key: sum(row[key] for row in by_cat_rows) for key in counts}

    # 2. Ratings of each unit's latest reply, grouped by unit and category (for 5 and 8); every part below
    # reads one index of rows that carry their session (reporting.py), without a join per row.
    eval_rows = list(
        Evaluation.objects.filter(session_id=sid, is_current=True)
        .values("unit_id", "category", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    ratings = {"evaluated": 0, "satisfied": 0, "basically": 0, "unsatisfied": 0}
    for row in eval_rows:
        ratings["evaluated"] += row["n"]
        if row["rating"] in RATING_KEYS:
            ratings[RATING_KEYS[row["rating"]]] += row["n"]
    totals.update(ratings)

    # 3. Reply classes and timeliness of each replying unit's latest reply, grouped by unit (for 4 and 6)
    reply_rows = list(
        Reply.objects.filter(session_id=sid, is_latest=True)
        .values("unit_id", "result_class", "on_time")
        .annotate(n=Count("id"))
        .order_by()
    )
    classes = list(result_classes)
    class_counts = dict.fromkeys(classes, 0)
    for row in reply_rows:
        class_counts[row["result_class"]] = class_counts.get(row["result_class"], 0) + row["n"]
    classes = [c for c in class_counts]
    replies_total = sum(class_counts.values())
    totals.update(
        accept_rate=pct(totals["accepted"], totals["submitted"]),
        reply_rate=pct(totals["on_time"], totals["accepted"]),
        satisfaction_rate=pct(totals["satisfied"] + totals["basically"], totals["evaluated"]),
        classes=class_counts,
        class_shares={c: pct(n, replies_total) for c, n in class_counts.items()},
        replies=replies_total,
        adoption_rate=pct(class_counts.get("A", 0), replies_total),
    )

    # 4-6. By handling unit
    replying = Q(role__in=REPLYING_ROLES)
    red = dict(
        # The session's red proposals come from the statistics index; their units by case.
        Assignment.objects.filter(
            case_id__in=Proposal.objects.filter(session_id=sid, light=Proposal.Light.RED).values("case_id"),
            is_active=True,
            role__in=REPLYING_ROLES,
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    units = {}
    for row in (
        Assignment.objects.filter(session_id=sid, is_active=True)
        .values("unit_id", "unit__name", "unit__short_name", "unit__order")
        .annotate(lead=Count("id", filter=replying), co=Count("id", filter=Q(role=Assignment.Role.CO)))
        .order_by("unit__order", "unit_id")
    ):
        units[row["unit_id"]] = {
            "unit_id": row["unit_id"],
            "name": row["unit__name"],
            "short": row["unit__short_name"] or row["unit__name"],
            "lead": row["lead"],
            "co": row["co"],
            "replied": 0,
            "on_time": 0,
            "red": red.get(row["unit_id"], 0),
            "evaluated": 0,
            "good": 0,
            "classes": dict.fromkeys(classes, 0),
        }
    for row in eval_rows:
        u = units.get(row["unit_id"])
        if u:
            u["evaluated"] += row["n"]
            u["good"] += row["n"] if row["rating"] in GOOD else 0
    for row in reply_rows:
        u = units.get(row["unit_id"])
        if u:
            u["classes"][row["result_class"]] = u["classes"].get(row["result_class"], 0) + row["n"]
            u["replied"] += row["n"]
            u["on_time"] += row["n"] if row["on_time"] else 0
    for u in units.values():
        u["reply_rate"] = pct(u["on_time"], u["lead"])
        u["satisfaction_rate"] = pct(u["good"], u["evaluated"])
        u["class_list"] = [u["classes"].get(c, 0) for c in classes]

    # 9. 跟踪落实 of B-class replies, in total and by unit: one query over the few follow-up rows
    totals["followups"] = followup_figures(sid, units)

    # 7-8. By category
    order = list(order)
    cats = {}
    for row in by_cat_rows:
        if row["submitted"]:
            cats[row["category"]] = {
                "category": row["category"],
                "submitted": row["submitted"],
                "accepted": row["accepted"],
                "on_time": row["on_time"],
                "evaluated": 0,
                "good": 0,
            }
    for row in eval_rows:
        c = cats.get(row["category"])
        if c:
            c["evaluated"] += row["n"]
            c["good"] += row["n"] if row["rating"] in GOOD else 0
    for c in cats.values():
        c["accept_rate"] = pct(c["accepted"], c["submitted"])
        c["reply_rate"] = pct(c["on_time"], c["accepted"])
        c["satisfaction_rate"] = pct(c["good"], c["evaluated"])
    by_category = sorted(
        cats.values(),
        key=lambda c: (order.index(c["category"]) if c["category"] in order else len(order), c["category"]),
    )
    return {
        "totals": totals,
        "classes": classes,
        "by_unit": list(units.values()),
        "by_category": by_category,
    }


def status_counts(user, session) -> list[dict]:
    """How many proposals of the session are in each state (for the dashboard): one query."""
    labels = dict(Proposal.Status.choices)
    rows = (
        Proposal.objects.filter(org_scope_q(user), session=session)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {r["status"]: r["n"] for r in rows}
    return [{"status": s, "label": labels[s], "count": counts.get(s, 0)} for s in Proposal.Status.values]


# --------------------------------------------------------------------------- ECharts options


def unit_bar_option(stats: dict, limit: int = 15) -> dict:
    """主办件数 / 已答复 / 按期答复 of the `limit` units with most lead cases: named_bars_option (on a phone
    the bars lie on their side, a unit per row)."""
    units = sorted(stats["by_unit"], key=lambda u: -u["lead"])[:limit]
    return named_bars_option(
        [u["short"] for u in units],
        [
            ("主办件数", [u["lead"] for u in units], "#b3261e"),
            ("已答复", [u["replied"] for u in units], "#f9a825"),
            ("按期答复", [u["on_time"] for u in units], "#2e7d32"),
        ],
    )


def _pie(name: str, data: list[dict]) -> dict:
    return pie_option(name, data, "件")


def category_pie_option(stats: dict) -> dict:
    # Every category in the legend (a 1/4 pager showed three, the third cut: 城乡建), as 社情民意's.
    data = [{"name": c["category"], "value": c["submitted"]} for c in stats["by_category"]]
    return pie_option("类别", data, "件", wrap=True)


def class_pie_option(stats: dict) -> dict:
    colours = {"A": "#2e7d32", "B": "#f9a825", "C": "#1565c0", "D": "#757575"}
    return _pie(
        "答复类别",
        [
            {"name": f"{c}类", "value": n, "itemStyle": {"color": colours.get(c, "#999")}}
            for c, n in stats["totals"]["classes"].items()
        ],
    )


def status_bar_option(counts: list[dict]) -> dict:
    rows = [c for c in counts if c["count"]]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 16, "containLabel": True},
        # Room after the longest bar for its count (an axis ending at 25 cut the "25" off).
        "xAxis": {"type": "value", "minInterval": 1, "boundaryGap": [0, "12%"]},
        "yAxis": {"type": "category", "data": [c["label"] for c in rows], "inverse": True},
        "series": [
            {
                "type": "bar",
                "data": [c["count"] for c in rows],
                "itemStyle": {"color": "#c0392b"},
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def light_pie_option(totals: dict) -> dict:
    return _pie(
        "督办灯",
        [
            {"name": "绿灯", "value": totals["green"], "itemStyle": {"color": "#2e7d32"}},
            {"name": "黄灯", "value": totals["yellow"], "itemStyle": {"color": "#f9a825"}},
            {"name": "红灯", "value": totals["red"], "itemStyle": {"color": "#c62828"}},
        ],
    )


def stats_xlsx(stats: dict) -> bytes:
    """The statistics as a workbook: 总体, 按承办单位, 按类别."""
    t, classes = stats["totals"], stats["classes"]
    book = Book()
    ws = book.sheet("总体情况")
    ws.append([f"{stats['session'].name} 提案统计"])
    for label, value in (
        ("提交提案", t["submitted"]),
        ("立案", t["accepted"]),
        ("立案率(%)", t["accept_rate"]),
        ("不予立案", t["rejected"]),
        ("转办", t["converted"]),
        ("并案", t["merged"]),
        ("已答复", t["replied"]),
        ("按期答复", t["on_time"]),
        ("办复率(%)", t["reply_rate"]),
        ("已评价", t["evaluated"]),
        ("满意", t["satisfied"]),
        ("基本满意", t["basically"]),
        ("不满意", t["unsatisfied"]),
        ("满意率(%)", t["satisfaction_rate"]),
        ("已办结", t["closed"]),
        ("重点提案", t["key"]),
        ("优秀提案", t["excellent"]),
    ):
        ws.append([label, value])
    for c in classes:
        ws.append([f"{c}类答复", t["classes"].get(c, 0), f"{t['class_shares'].get(c) or 0}%"])
    fu = t["followups"]
    for label, key in (
        ("B类跟踪落实", "total"),
        ("跟踪落实：落实中", "open"),
        ("跟踪落实：已报落实待确认", "reported_done"),
        ("跟踪落实：已确认落实", "done"),
        ("跟踪落实：逾期", "overdue"),
    ):
        ws.append([label, fu[key]])
    ws = book.sheet("按承办单位")
    ws.append(
        [
            "承办单位",
            "主办/分办",
            "会办",
            "已答复",
            "按期答复",
            "办复率(%)",
            "已评价",
            "满意+基本满意",
            "满意率(%)",
            *[f"{c}类" for c in classes],
            "红灯",
            "跟踪落实中",
            "跟踪已落实",
        ]
    )
    for u in stats["by_unit"]:
        ws.append(
            [
                u["name"],
                u["lead"],
                u["co"],
                u["replied"],
                u["on_time"],
                u["reply_rate"],
                u["evaluated"],
                u["good"],
                u["satisfaction_rate"],
                *u["class_list"],
                u["red"],
                u["followup_open"],
                u["followup_done"],
            ]
        )
    ws = book.sheet("按类别")
    ws.append(
        ["类别", "提交", "立案", "立案率(%)", "按期答复", "办复率(%)", "已评价", "满意+基本满意", "满意率(%)"]
    )
    for c in stats["by_category"]:
        ws.append(
            [
                c["category"],
                c["submitted"],
                c["accepted"],
                c["accept_rate"],
                c["on_time"],
                c["reply_rate"],
                c["evaluated"],
                c["good"],
                c["satisfaction_rate"],
            ]
        )
    return book.save()


def export_xlsx(user, session) -> bytes:
    """The session's statistics as .xlsx for this user, recorded in the audit log (an export of data)."""
    data = stats_xlsx(session_stats(user, session))
    audit.record(user, "proposals.stats_export", session)
    return data
