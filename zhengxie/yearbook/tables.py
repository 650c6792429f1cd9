"""What the pages show of snapshots: a part's figures beside last year's, the monthly charts, and the
committees one level down side by side (totals, ranking on one figure, the outliers)."""

from __future__ import annotations

from statistics import median

from django.utils.html import format_html_join


def _change(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 1) if isinstance(now, float) or isinstance(before, float) else now - before


def compare(parts: list[dict], last: list[dict], *, links: bool) -> list[dict]:
    """Each part with each figure's value last year and the change (同比); links only for the committee's
    own users (the modules' pages are theirs)."""
    before = {(p["key"], f["key"]): f["value"] for p in last for f in p["figures"]}
    out = []
    for p in parts:
        rows = []
        for f in p["figures"]:
            prev = before.get((p["key"], f["key"]))
            rows.append(
                {**f, "last": prev, "change": _change(f["value"], prev), "url": f["url"] if links else ""}
            )
        out.append({**p, "rows": rows, "url": p["url"] if links else ""})
    return out


def month_charts(parts: list[dict], year: int) -> list[dict]:
    """One bar chart per part that has monthly series (ECharts options)."""
    charts = []
    for p in parts:
        if not p.get("months"):
            continue
        charts.append(
            {
                "id": f"yearbook-months-{p['key']}",
                "title": f"{p['title']}：{year}年逐月",
                "option": {
                    "tooltip": {"trigger": "axis"},
                    "legend": {"top": 0},
                    "grid": {"left": 40, "right": 20, "top": 30, "bottom": 30},
                    "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
                    "yAxis": {"type": "value", "minInterval": 1},
                    "series": [
                        {"type": "bar", "name": name, "data": data} for name, data in p["months"].items()
                    ],
                },
            }
        )
    return charts


def _columns(snaps: dict) -> list[dict]:
    """Every figure any committee has, in the parts' order: {key, part, label, unit, definition, better}.
    A figure only some committees have (a kind of meeting one county held) joins its own part's run of
    columns, so that each part stays one group in the table's header."""
    parts: dict[str, dict[str, dict]] = {}
    for s in snaps.values():
        for p in s.parts:
            seen = parts.setdefault(p["key"], {})
            for f in p["figures"]:
                key = f"{p['key']}.{f['key']}"
                seen.setdefault(
                    key,
                    {
                        "key": key,
                        "part": p["title"],
                        "label": f["label"],
                        "unit": f["unit"],
                        "definition": f["definition"],
                        "better": f.get("better", "higher"),
                    },
                )
    return [col for seen in parts.values() for col in seen.values()]


def _cells(values: list) -> str:
    """A row's figures as table cells, written at once: a province's table is 14 × ~90 of them, which the
    template's per-cell tags (a test and a localised number each) made the page's largest cost (issue #13)."""
    return format_html_join("", '<td class="text-end">{}</td>', (("—" if v is None else v,) for v in values))


def _groups(cols: list[dict]) -> list[dict]:
    """The header's upper row: each part over its run of columns."""
    groups: list[dict] = []
    for col in cols:
        if groups and groups[-1]["title"] == col["part"]:
            groups[-1]["span"] += 1
        else:
            groups.append({"title": col["part"], "span": 1})
    return groups


def levels(committees: list, snaps: dict, chosen: str = "") -> dict:
    """The table of the committees below: a row per committee, a column per figure, the total (a sum of
    counts; rates are not summed, they show the median), the ranking on the chosen figure and its outliers
    (the worst, and any more than twice as far from the median as the middle half is wide)."""
    from .services import figure_map

    cols = _columns(snaps)
    rows = []
    for c in committees:
        s = snaps.get(c.pk)
        fm = figure_map(s.parts) if s else {}
        values = [fm.get(col["key"], {}).get("value") for col in cols]
        rows.append(
            {
                "committee": c,
                "values": values,
                "cells": _cells(values),
                "computed_at": s.computed_at if s else None,
            }
        )
    totals = []
    for i, col in enumerate(cols):
        vals = [r["values"][i] for r in rows if r["values"][i] is not None]
        if col["unit"] == "%":
            totals.append(round(median(vals), 1) if vals else None)
        else:
            totals.append(sum(vals) if vals else 0)
    keys = [c["key"] for c in cols]
    chosen = chosen if chosen in keys else (keys[0] if keys else "")
    ranking, outliers = [], set()
    if chosen:
        i = keys.index(chosen)
        col = cols[i]
        scored = [(r["values"][i], r["committee"]) for r in rows if r["values"][i] is not None]
        reverse = col["better"] != "lower"
        scored.sort(key=lambda x: x[0], reverse=reverse)
        ranking = [{"rank": n, "value": v, "committee": c} for n, (v, c) in enumerate(scored, 1)]
        if len(scored) >= 3:
            values = sorted(v for v, _ in scored)
            mid = median(values)
            q1, q3 = median(values[: len(values) // 2]), median(values[(len(values) + 1) // 2 :])
            spread = (q3 - q1) or 0
            worst = scored[-1][1].pk
            outliers = {worst}
            if spread:
                outliers |= {c.pk for v, c in scored if abs(v - mid) > 2 * spread}
    return {
        "columns": cols,
        "groups": _groups(cols),
        "rows": rows,
        "totals": totals,
        "total_cells": _cells(totals),
        "total_label": "合计（比率为中位数）",
        "chosen": chosen,
        "chosen_col": cols[keys.index(chosen)] if chosen else None,
        "ranking": ranking,
        "outliers": outliers,
    }


def sort(table: dict, key: str = "", direction: str = "") -> dict:
    """The table's rows sorted by one figure (a clicked column): best first by default (`better`), `direction`
    "asc"/"desc" to choose; a committee without the figure (—) stays last either way. An unknown key keeps
    the committees' own order (by code). Adds to each column the link's next direction and its aria-sort."""
    keys = [c["key"] for c in table["columns"]]
    if key not in keys:
        key = ""
    for col in table["columns"]:
        col["aria_sort"], col["next_dir"] = "none", ""
    if not key:
        return {**table, "sort": "", "dir": ""}
    i = keys.index(key)
    col = table["columns"][i]
    best = "asc" if col["better"] == "lower" else "desc"
    direction = direction if direction in ("asc", "desc") else best
    present = [r for r in table["rows"] if r["values"][i] is not None]
    missing = [r for r in table["rows"] if r["values"][i] is None]
    present.sort(key=lambda r: r["values"][i], reverse=direction == "desc")
    col["aria_sort"] = "descending" if direction == "desc" else "ascending"
    col["next_dir"] = "asc" if direction == "desc" else "desc"
    return {**table, "rows": present + missing, "sort": key, "dir": direction}


# --- 大屏 (wall screen) -------------------------------------------------------------------------------------

# The work report's headline figures ("part.figure" of the snapshot), one tile each on the 大屏 and the key
# columns of its table of committees; a part a committee does not have is simply left out.
HEADLINES = frozenset(
    {
        "proposals.submitted",
        "proposals.accepted",
        "proposals.reply_rate",
        "proposals.satisfaction",
        "opinions.received",
        "opinions.accepted",
        "opinions.instructions",
        "consultation.held",
        "consultation.outcomes",
        "activities.held",
        "activities.attendance_rate",
        "activities.trained_share",
        "supervision.rectified_rate",
        "research.reports",
        "suggestions.received",
        "suggestions.satisfaction",
        "studios.duty_days",
        "keytasks.done",
    }
)
OUTLIER_COLOUR = "#e5484d"
BAR_COLOUR = "#3e8ef7"


def headlines(parts: list[dict]) -> list[dict]:
    """The headline figures of `compare`d parts, in the parts' order: the tiles of the year's 大屏, each
    with its part's title, last year's value and the change (同比) as the page's table shows them."""
    return [
        {**r, "key": f"{p['key']}.{r['key']}", "part": p["title"]}
        for p in parts
        for r in p["rows"]
        if f"{p['key']}.{r['key']}" in HEADLINES
    ]


def _key_indexes(table: dict) -> list[int]:
    """The columns the 大屏 shows of the committees' table: the chosen figure, then the headline ones (or
    the first eight when none is there)."""
    keys = [c["key"] for c in table["columns"]]
    picked = [i for i, k in enumerate(keys) if k in HEADLINES] or list(range(min(8, len(keys))))
    if table["chosen"]:
        chosen = keys.index(table["chosen"])
        picked = [chosen, *(i for i in picked if i != chosen)]
    return picked


def total_tiles(table: dict) -> list[dict]:
    """The totals of the committees' table as 大屏 tiles (counts summed, rates as the median)."""
    cols = table["columns"]
    return [
        {
            **cols[i],
            "value": table["totals"][i],
            "note": "中位数" if cols[i]["unit"] == "%" else "合计",
        }
        for i in _key_indexes(table)
    ]


def key_table(table: dict) -> dict:
    """The committees' table cut to its key columns for the 大屏, in the table's (sorted) order, the
    outliers of the chosen figure marked, and the oldest of the rows' counting times."""
    picked = _key_indexes(table)
    times = [r["computed_at"] for r in table["rows"] if r["computed_at"]]
    columns = [table["columns"][i] for i in picked]
    return {
        "columns": columns,
        "groups": _groups(columns),
        "rows": [
            {
                "committee": r["committee"],
                "cells": _cells([r["values"][i] for i in picked]),
                "outlier": r["committee"].pk in table["outliers"],
            }
            for r in table["rows"]
        ],
        "total_cells": _cells([table["totals"][i] for i in picked]),
        "oldest": min(times) if times else None,
    }


def ranking_chart(table: dict) -> dict | None:
    """The ranking on the chosen figure as horizontal bars (ECharts option), the best on top and the
    outliers red; None when no committee has the figure."""
    col, ranking = table["chosen_col"], table["ranking"]
    if not col or not ranking:
        return None
    unit = col["unit"]
    return {
        "id": "levels-ranking-chart",
        "rows": len(ranking),
        "option": {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 16, "top": 8, "bottom": 8, "containLabel": True},
            # room after the longest bar for its value
            "xAxis": {"type": "value", "boundaryGap": [0, "15%"]},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [r["committee"].name for r in ranking],
                "axisLabel": {"interval": 0},
            },
            "series": [
                {
                    "type": "bar",
                    "name": col["label"],
                    "itemStyle": {"color": BAR_COLOUR},
                    "label": {"show": True, "position": "right", "formatter": "{c}" + unit},
                    "data": [
                        {"value": r["value"], "itemStyle": {"color": OUTLIER_COLOUR}}
                        if r["committee"].pk in table["outliers"]
                        else {"value": r["value"]}
                        for r in ranking
                    ],
                }
            ],
        },
    }
