"""ECharts options shared by every statistics page (drawn by static/js/app.js from a json_script)."""

from __future__ import annotations


def pie_option(name: str, data: list[dict], unit: str = "件") -> dict:
    """A ring of `data` ([{name, value}]) with shares inside and a scrolling legend below; the tooltip
    counts in `unit` (件 proposals, 篇 社情民意 …)."""
    return {
        "tooltip": {"trigger": "item", "formatter": f"{{b}}：{{c}}{unit}（{{d}}%）"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [
            {
                "name": name,
                "type": "pie",
                "radius": ["30%", "68%"],
                "center": ["50%", "44%"],
                "label": {"position": "inside", "formatter": "{d}%", "color": "#fff", "fontSize": 11},
                "labelLine": {"show": False},
                "data": data,
            }
        ],
    }
