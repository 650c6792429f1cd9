"""各承办单位办理情况 (/handling/units/, GET /api/v1/handling/units): per unit, across kinds, the on-time
rate, the satisfaction and the re-handling count match the rows."""

import datetime

import pytest

from tests.proposals.builders import build
from zhengxie.handling import services as spine
from zhengxie.handling.models import Assignment, Reply
from zhengxie.proposals import reporting
from zhengxie.proposals.models import Proposal

from .helpers import item_case, new_unit, table_row, text

pytestmark = pytest.mark.django_db

S = Proposal.Status
UNIT = "县测试局"


@pytest.fixture
def figures_unit(user):
    """A fresh unit with four proposals:
    p1 replied on time, rated 满意 (1 rating, good);
    p2 replied late, rated 基本满意 + 不满意 (2 ratings, 1 good), re-handling and not yet replied again;
    p3 replied late, rated 不满意, replied again (round 2) on time, not rated yet;
    p4 assigned, no reply.
    => assigned 4, owed 2 (p2, p4), replied 3 (latest replies), on time 2 (p1, p3's second), rated 3,
    good 2, re-handled 1 (p3)."""
    unit = new_unit(UNIT)
    build(title="单位统计一", unit_name=UNIT, status=S.REPLIED, reply_class="A", ratings=["satisfied"])
    build(
        title="单位统计二",
        unit_name=UNIT,
        status=S.REHANDLING,
        reply_class="B",
        on_time=False,
        cosigners=["member2"],
        ratings=["basically_satisfied", "unsatisfied"],
    )
    p3 = build(
        title="单位统计三",
        unit_name=UNIT,
        status=S.REHANDLING,
        reply_class="C",
        on_time=False,
        ratings=["unsatisfied"],
    )
    Reply.objects.create(
        case_id=p3.case_id,
        assignment=Assignment.objects.get(case_id=p3.case_id),
        result_class="A",
        content="已重新办理。",
        round=2,
        replied_by=user("staff"),
        on_time=True,
    )
    reporting.sync([p3.pk])
    build(title="单位统计四", unit_name=UNIT)
    return unit


EXPECTED = {
    "name": UNIT,
    "assigned": 4,
    "owed": 2,
    "late_open": 0,
    "replied": 3,
    "on_time": 2,
    "on_time_rate": 66.7,
    "rated": 3,
    "good": 2,
    "satisfaction": 66.7,
    "rehandled": 1,
}


def _row(rows, unit):
    [row] = [x for x in rows if x["unit_id"] == unit.pk]
    return row


def test_unit_figures_match_the_rows(client_for, api_for, figures_unit):
    r = api_for("staff").get("/api/v1/handling/units")
    assert r.status_code == 200
    assert _row(r.json(), figures_unit) == {"unit_id": figures_unit.pk, **EXPECTED}

    r = client_for("staff").get("/handling/units/")
    assert r.status_code == 200
    assert _row(r.context["rows"], figures_unit) == {"unit_id": figures_unit.pk, **EXPECTED}
    # 承办单位 交办 在办 逾期未答复 已答复 按期答复率 评价 满意率 重新办理
    assert table_row(text(r), UNIT) == [UNIT, "4", "2", "0", "3", "66.7%", "3", "66.7%", "1"]


def test_a_unit_with_nothing_replied_shows_no_rates(client_for, user):
    new_unit("县空白局", "空白局")
    build(title="单位统计五", unit_name="县空白局")
    cells = table_row(text(client_for("staff").get("/handling/units/")), "县空白局")
    assert cells == ["县空白局", "1", "1", "0", "0", "—", "0", "—", "0"]


def test_open_items_past_their_deadline_count_as_late(client_for, api_for, user):
    """A unit that replied once on time and leaves another item unanswered past its deadline is on time
    for half of its items (not 100%: not answering must not raise the rate); a re-handled item already has
    its reply counted and is not counted twice."""
    unit = new_unit("县拖延局", "拖延局")
    build(title="拖延一", unit_name="县拖延局", status=S.REPLIED, reply_class="A", ratings=["satisfied"])
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    build(title="拖延二", unit_name="县拖延局", deadline=yesterday)
    build(title="拖延三", unit_name="县拖延局")  # open, not yet due: not late
    [row] = [x for x in api_for("staff").get("/api/v1/handling/units").json() if x["unit_id"] == unit.pk]
    assert (row["replied"], row["on_time"], row["owed"], row["late_open"]) == (1, 1, 2, 1)
    assert row["on_time_rate"] == 50.0
    r = client_for("staff").get("/handling/units/")
    assert table_row(text(r), "县拖延局") == ["县拖延局", "3", "2", "1", "1", "50.0%", "1", "100.0%", "0"]
    assert "已过办理期限仍未答复的在办事项按逾期计" in text(r)


def test_figures_add_up_across_kinds_and_a_kind_filter_narrows_them(api_for, user, figures_unit):
    case = item_case(figures_unit, title="测试事项：学校周边亮化")
    Reply.objects.create(
        case=case,
        assignment=case.assignments.get(),
        content="已完成。",
        replied_by=user("staff"),
        on_time=True,
    )
    spine.sync_copies([case.pk])
    c = api_for("staff")
    both = _row(c.get("/api/v1/handling/units").json(), figures_unit)
    assert (both["assigned"], both["replied"], both["on_time"], both["on_time_rate"]) == (5, 4, 3, 75.0)
    only = _row(c.get("/api/v1/handling/units", {"kind": "proposal"}).json(), figures_unit)
    assert only == {"unit_id": figures_unit.pk, **EXPECTED}
    other = _row(c.get("/api/v1/handling/units", {"kind": "test_item"}).json(), figures_unit)
    assert (other["assigned"], other["replied"], other["on_time_rate"], other["rated"]) == (1, 1, 100.0, 0)


def test_a_year_filter_counts_that_year_only(api_for, figures_unit):
    rows = api_for("staff").get("/api/v1/handling/units", {"year": 2001}).json()
    assert all(x["unit_id"] != figures_unit.pk for x in rows)


@pytest.mark.parametrize("username", ["handler1", "member1", "other"])
def test_unit_figures_are_closed_to_units_and_members(client_for, api_for, username):
    assert client_for(username).get("/handling/units/").status_code == 404
    r = api_for(username).get("/api/v1/handling/units")
    assert r.status_code == 403 and "只有督办部门" in r.json()["detail"]


def test_a_leader_sees_the_unit_figures(api_for, figures_unit):
    assert _row(api_for("leader").get("/api/v1/handling/units").json(), figures_unit)["rehandled"] == 1
