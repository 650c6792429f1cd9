"""Charts read on a phone (seen at 375 px on the 领导驾驶舱, #15): the 承办单位 bars put twelve slanted names
side by side and they ran into each other; the 提案状态 count at the end of the longest bar was cut off;
the 课题进展 axis dropped every other state's name; the 各监督小组清单 legend went onto a second line over
the bars."""

from tests.opinions.test_stats import _at_width
from zhengxie.proposals import stats as proposal_stats
from zhengxie.research.stats import chart as research_chart
from zhengxie.supervision.stats import chart as supervision_chart

UNITS = ["住建局", "教育局", "农业农村局", "卫健局", "发改委", "公安局", "民政局", "文旅局", "城管局"]


def test_the_unit_chart_lays_its_bars_on_their_side_on_a_phone():
    by_unit = [{"short": s, "lead": 20 - n, "replied": 5, "on_time": 3} for n, s in enumerate(UNITS)]
    option = proposal_stats.unit_bar_option({"by_unit": by_unit}, limit=12)
    phone = _at_width(option, 320)
    assert phone["yAxis"]["type"] == "category" and phone["yAxis"]["data"] == UNITS  # most lead cases on top
    assert phone["yAxis"]["inverse"] is True and phone["xAxis"]["type"] == "value"
    desk = _at_width(option, 820)
    assert desk["xAxis"]["type"] == "category" and desk["xAxis"]["data"] == UNITS
    assert desk["xAxis"]["axisLabel"]["interval"] == 0 and desk["yAxis"]["type"] == "value"
    assert option["baseOption"]["tooltip"]["renderMode"] == "richText"  # app.js does not look inside
    assert [s["name"] for s in option["baseOption"]["series"]] == ["主办件数", "已答复", "按期答复"]
    assert [s["data"][0] for s in option["baseOption"]["series"]] == [20, 5, 3]


def test_the_status_chart_leaves_room_after_its_longest_bar_for_the_count():
    option = proposal_stats.status_bar_option(
        [{"label": "办理中", "count": 25}, {"label": "草稿", "count": 4}]
    )
    assert option["series"][0]["label"] == {"show": True, "position": "right"}
    assert option["xAxis"]["boundaryGap"][1] not in (0, "0%")  # 25 is not the axis' end, the label fits


def test_the_research_chart_names_every_state():
    option = research_chart({"planned": 1, "in_progress": 3, "reported": 2, "closed": 0})
    assert option["xAxis"]["data"] == ["计划中", "进行中", "已形成报告", "已办结"]
    assert option["xAxis"]["axisLabel"]["interval"] == 0


def test_the_supervision_legend_keeps_to_one_line_above_the_bars():
    rows = [
        {
            "unit__short_name": "教育局",
            "unit__name": "县教育局",
            "problems": 3,
            "suggestions": 2,
            "rectifications": 3,
            "rectified": 1,
        }
    ]
    option = supervision_chart(rows)
    legend = option["legend"]
    # Four names of 3–4 characters in a chart 311 px wide (a phone): small keys, close together.
    assert legend["itemWidth"] <= 14 and legend["itemGap"] <= 8 and legend["textStyle"]["fontSize"] <= 12


def test_the_category_ring_shows_every_category_in_its_legend():
    by_category = [{"category": c, "submitted": 3} for c in ("经济建设", "农业农村", "城乡建设", "科教文卫")]
    option = proposal_stats.category_pie_option({"by_category": by_category})
    assert option["legend"].get("type") != "scroll"  # no 1/4 pager: all four names on the chart
