"""ECharts options shared by every statistics page (drawn by static/js/app.js from a json_script)."""

from __future__ import annotations


def pie_option(name: str, data: list[dict], unit: str = "件", *, wrap: bool = False) -> dict:
    """A ring of `data` ([{name, value}]) with shares inside and a scrolling legend below; the tooltip
    counts in `unit` (件 proposals, 篇 社情民意 …). `wrap`: a handful of short names (a status) are all
    shown, on two lines when one is too narrow (a phone, a third of a desktop), the ring a little smaller
    and higher — a paged legend (1/2) hides half of them."""
    legend = {"bottom": 0, "type": "scroll"}
    radius, center = ["30%", "68%"], ["50%", "44%"]
    if wrap:
        legend = {"bottom": 0, "left": "center", "itemGap": 8, "itemWidth": 14, "itemHeight": 10}
        radius, center = ["26%", "60%"], ["50%", "40%"]
    return {
        "tooltip": {"trigger": "item", "formatter": f"{{b}}：{{c}}{unit}（{{d}}%）"},
        "legend": legend,
        "series": [
            {
                "name": name,
                "type": "pie",
                "radius": radius,
                "center": center,
                "label": {"position": "inside", "formatter": "{d}%", "color": "#fff", "fontSize": 11},
                "labelLine": {"show": False},
                "data": data,
            }
        ],
    }
