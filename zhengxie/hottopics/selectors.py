"""Reads of 热点 for the pages, the API and the dashboard: the latest stored run of a period and its hot
topics (a constant number of queries whatever the number of topics or items)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import services, sources
from .models import HotTopic, Run

RS = Run.Status
CHART_TOPICS = 10


@dataclass
class Board:
    organisation: object
    period: str
    date_from: object
    date_to: object
    kinds: list[str]
    run: Run | None  # the latest done run of the period (None: not computed yet)
    busy: Run | None  # a run of the period still pending or running
    topics: list[HotTopic] = field(default_factory=list)
    may_recompute: bool = False


def parse_kinds(value) -> list[str]:
    """`kinds` as a list or a comma-separated string; unknown kinds are refused (422)."""
    from zhengxie.core.errors import Invalid

    if value in (None, "", []):
        return list(sources.KINDS)
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    kinds = [p.strip() for p in parts if p and p.strip()]
    bad = [k for k in kinds if k not in sources.KINDS]
    if bad:
        raise Invalid(f"未知的类型：{'、'.join(bad)}（可选 {'、'.join(sources.KINDS)}）。", field="kinds")
    return [k for k in sources.KINDS if k in kinds] or list(sources.KINDS)


def board(user, *, organisation=None, period=None, date_from=None, date_to=None, kinds=None) -> Board:
    """The hot topics of the latest done run of the period (近90天 by default), restricted to those with an
    item of the kinds asked for, by heat; and a run of that period still in progress."""
    org = services.organisation_for(user, organisation)
    period, date_from, date_to = services.period_range(period, date_from, date_to)
    kinds = parse_kinds(kinds)
    key = services.run_key_q(org, period, date_from, date_to)
    run = Run.objects.filter(key, status=RS.DONE).order_by("-finished_at", "-id").first()
    busy = Run.objects.filter(key, status__in=[RS.PENDING, RS.RUNNING]).order_by("-id").first()
    topics = []
    if run is not None:
        topics = [
            t
            for t in run.topics.select_related("topic").order_by("rank")
            if any(t.counts.get(k) for k in kinds)
        ]
        if len(kinds) < len(sources.KINDS):
            for t in topics:
                t.shown = sum(t.counts.get(k, 0) for k in kinds)
    for t in topics:
        t.shown = getattr(t, "shown", t.size)
        t.kind_labels = [(sources.SHORT[k], n) for k, n in t.counts.items()]
        t.spark = sparkline([p["n"] for p in t.trend])
    return Board(org, period, date_from, date_to, kinds, run, busy, topics, services.may_recompute(user, org))


def sparkline(values: list[int], width: int = 100, height: int = 24) -> str:
    """The points of an SVG polyline for a small trend line (no script, no style: CSP-safe)."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def chart_option(topics: list[HotTopic]) -> dict:
    """A horizontal bar chart of the top hot topics by heat (the hottest on top), each bar labelled with
    its number of items."""
    top = topics[:CHART_TOPICS][::-1]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "热度", "nameLocation": "middle", "nameGap": 24},
        "yAxis": {
            "type": "category",
            "data": [t.label if len(t.label) <= 14 else t.label[:13] + "…" for t in top],
            "axisLabel": {"fontSize": 11},
        },
        "series": [
            {
                "name": "热度",
                "type": "bar",
                "itemStyle": {"color": "#c0392b"},
                "label": {"show": True, "position": "right", "fontSize": 11},
                "data": [{"value": t.heat, "label": {"formatter": f"{t.shown}件"}} for t in top],
            }
        ],
    }


def trend_option(ht: HotTopic) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [p["label"] for p in ht.trend]},
        "yAxis": {"type": "value", "minInterval": 1, "name": "件"},
        "series": [
            {
                "name": "件数",
                "type": "bar",
                "data": [p["n"] for p in ht.trend],
                "itemStyle": {"color": "#c0392b"},
            }
        ],
    }


def top_for_dashboard(user, n: int = 5) -> tuple[Run | None, list[HotTopic]]:
    """The user's committee's latest 近90天 run and its n hottest topics (two queries)."""
    org = getattr(user, "organisation", None)
    if org is None or not services.may_view(user, org):
        return None, []
    run = (
        Run.objects.filter(organisation=org, period=Run.Period.LAST_90, status=RS.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return None, []
    return run, list(run.topics.order_by("rank")[:n])
