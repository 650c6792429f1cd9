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


# Narrower than this (a phone held upright: Bootstrap's sm breakpoint), a bar chart of many names lays its
# bars on their side: a name per row down the left, where a dozen names side by side under the bars ran into
# each other (社情民意 按界别, 承办单位办理情况).
PHONE_MAX_WIDTH = 575


def named_bars_option(names: list[str], series: list[tuple[str, list, str]]) -> dict:
    """Bars of several `series` ([(name, values, colour)]) for each of `names` (sorted as they should read,
    the largest first). Two layouts through ECharts' media queries (chosen again on every resize): on a wide
    chart the names under the bars, slanted and cut to 5 characters with …; on a phone horizontal bars, the
    names down the left, the first on top. The page gives the chart's box the class `chart-rows` (taller on
    a phone: app.css) when there are more than six names."""
    label = {"interval": 0, "width": 64, "overflow": "truncate", "ellipsis": "…"}
    count_axis = {"type": "value", "minInterval": 1, "axisLabel": {"rotate": 0}}
    wide = {
        "xAxis": {"type": "category", "data": names, "inverse": False, "axisLabel": {**label, "rotate": 30}},
        "yAxis": count_axis,
        "tooltip": {"axisPointer": {"type": "line"}},
    }
    phone = {
        "xAxis": count_axis,
        "yAxis": {"type": "category", "data": names, "inverse": True, "axisLabel": {**label, "rotate": 0}},
        "tooltip": {"axisPointer": {"type": "shadow"}},
    }
    return {
        "baseOption": {
            # A media option's tooltip is not seen by app.js, which asks every chart for canvas tooltips
            # (the CSP drops the HTML ones' inline styles): asked for here.
            "tooltip": {"trigger": "axis", "renderMode": "richText"},
            "legend": {"data": [name for name, _, _ in series], "top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
            "xAxis": wide["xAxis"],
            "yAxis": wide["yAxis"],
            "series": [
                {"name": name, "type": "bar", "data": values, "itemStyle": {"color": colour}}
                for name, values, colour in series
            ],
        },
        "media": [
            {"query": {"maxWidth": PHONE_MAX_WIDTH}, "option": phone},
            {"option": wide},  # no query: whenever the one above does not hold (back from a phone's width)
        ],
    }
