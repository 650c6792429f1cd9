"""ECharts options of the 社情民意 statistics (drawn by static/js/app.js from a json_script; no inline
script). Each takes the dict `year_report` returns."""

from __future__ import annotations

from zhengxie.core.charts import named_bars_option, pie_option

from ..models import LEVEL_LABELS
from . import LEVELS_DOWN

RED, AMBER, GREEN, BLUE, GREY = "#b3261e", "#f9a825", "#2e7d32", "#1565c0", "#757575"
LEVEL_COLOURS = {"national": RED, "province": AMBER, "city": BLUE, "county": GREEN}


def month_option(report: dict) -> dict:
    months = report["by_month"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["收到", "录用", "采用", "批示"], "top": 0},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{m['month']}月" for m in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": "收到",
                "type": "bar",
                "data": [m["received"] for m in months],
                "itemStyle": {"color": GREY},
            },
            {
                "name": "录用",
                "type": "bar",
                "data": [m["accepted"] for m in months],
                "itemStyle": {"color": RED},
            },
            {
                "name": "采用",
                "type": "line",
                "data": [m["adopted"] for m in months],
                "itemStyle": {"color": GREEN},
            },
            {
                "name": "批示",
                "type": "line",
                "data": [m["instructions"] for m in months],
                "itemStyle": {"color": AMBER},
            },
        ],
    }


def level_option(report: dict) -> dict:
    adopted = report["figures"]["adopted"]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": [f"{LEVEL_LABELS[lv]}采用" for lv in LEVELS_DOWN],
            "inverse": True,
        },
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": adopted[lv], "itemStyle": {"color": LEVEL_COLOURS[lv]}} for lv in LEVELS_DOWN
                ],
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def _pie(name: str, data: list[dict]) -> dict:
    return pie_option(name, data, "篇", wrap=True)  # ten categories: all shown, no 1/4 pager


def category_option(report: dict) -> dict:
    return _pie(
        "类别",
        [{"name": c["category"], "value": c["received"]} for c in report["by_category"] if c["received"]],
    )


def sector_option(report: dict, limit: int = 15) -> dict:
    """报送 / 录用 / 采用 of the top `limit` 界别, most reports first: named_bars_option (on a phone the bars
    lie on their side, a 界别 per row)."""
    rows = sorted(report["by_sector"], key=lambda s: -s["items"])[:limit]
    return named_bars_option(
        [s["sector"] for s in rows],
        [
            ("报送", [s["items"] for s in rows], GREY),
            ("录用", [s["accepted"] for s in rows], RED),
            ("采用", [s["adopted_total"] for s in rows], GREEN),
        ],
    )
