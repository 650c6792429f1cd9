"""The year's 民主监督 figures of a committee (aggregate queries; two whatever the data):

groups (民主监督小组 of the year), problems / suggestions / rectifications (items of the three lists),
rectified (rectification cases closed: 已整改), replied (awaiting the group's confirmation), rehandling
(sent back), open (still with the unit), by_group (per group, for the chart) and the work report's
sentence "票决委派民主监督小组a个，提出问题清单b条、整改c条（已整改d条）"."""

from __future__ import annotations

from django.db.models import Count, Q

from zhengxie.keytasks.services import check_year

from .models import Item, Supervision
from .selectors import visible

L, S = Item.List, Item.Status


def year_stats(user, year=None, organisation=None) -> dict:
    from django.utils import timezone

    year = check_year(year or timezone.localdate().year)
    # user None: the committee's own count (the yearbook), without a viewer's visibility.
    groups = (visible(user) if user is not None else Supervision.objects.all()).filter(year=year)
    if organisation is not None:
        groups = groups.filter(organisation=organisation)
    rows = list(
        groups.values("id", "title", "unit__name", "unit__short_name")
        .annotate(
            problems=Count("items", filter=Q(items__list=L.PROBLEM)),
            suggestions=Count("items", filter=Q(items__list=L.SUGGESTION)),
            rectifications=Count("items", filter=Q(items__list=L.RECTIFICATION)),
            rectified=Count("items", filter=Q(items__status=S.RECTIFIED)),
            replied=Count("items", filter=Q(items__status=S.REPLIED)),
            rehandling=Count("items", filter=Q(items__status=S.REHANDLING)),
        )
        .order_by("id")
    )
    keys = ("problems", "suggestions", "rectifications", "rectified", "replied", "rehandling")
    s = {"year": year, "groups": len(rows), **{k: sum(r[k] for r in rows) for k in keys}}
    s["open"] = s["rectifications"] - s["rectified"] - s["replied"]
    s["rectified_rate"] = (
        round(100 * s["rectified"] / s["rectifications"], 1) if s["rectifications"] else None
    )
    s["by_group"] = rows
    s["sentence"] = sentence(s)
    s["chart"] = chart(rows)
    return s


def sentence(s: dict) -> str:
    return (
        f"票决委派民主监督小组{s['groups']}个，提出问题清单{s['problems']}条、"
        f"整改{s['rectifications']}条（已整改{s['rectified']}条）"
    )


def chart(rows) -> dict:
    """Per group (unit): problems, suggestions, rectifications and those rectified (ECharts bars)."""
    names = [r["unit__short_name"] or r["unit__name"] for r in rows]
    series = [
        ("问题清单", "problems", "#c62828"),
        ("建议清单", "suggestions", "#1976d2"),
        ("整改清单", "rectifications", "#f9a825"),
        ("已整改", "rectified", "#2e7d32"),
    ]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        # Small keys close together: the four names fit one line above the bars on a phone (at 375 px they
        # went onto a second line, over the tallest bars).
        "legend": {"top": 0, "itemWidth": 14, "itemHeight": 10, "itemGap": 8, "textStyle": {"fontSize": 12}},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": label, "type": "bar", "itemStyle": {"color": color}, "data": [r[key] for r in rows]}
            for label, key, color in series
        ],
    }
