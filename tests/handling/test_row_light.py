"""One rule gives an inbox row its light and its 逾期 label (issue #8): the light is the row's stored one,
which the 督办台, the inbox summary and the `light=` filter count, so a row is counted under the light it
shows; 逾期 is exactly "the light is red" on a replying unit's row. A 会办 unit's opinion is due before the
case's reply, by its own deadline: its row has its own light from that deadline (red once it has passed,
while the case may be green) and says 会办意见逾期 (as the proposal's page does), not 逾期."""

from __future__ import annotations

import datetime
import inspect

import pytest
from django.utils import timezone

from zhengxie.handling import lights
from zhengxie.handling.lights import row_light
from zhengxie.handling.models import Assignment, Case

from .helpers import text

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox"


def _row(client, case_id):
    [row] = [x for x in client.get(INBOX).json()["items"] if x["case_id"] == case_id]
    return row


def test_a_co_units_late_opinion_is_red_on_its_own_row_and_counted_so(api_for, client_for, proposal_in):
    p = proposal_in("assigned", co=["住建局"])
    case = Case.objects.get(pk=p.case_id)
    assert case.light == "green"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Assignment.objects.filter(case=case, role="co").update(deadline=yesterday)
    lights.refresh([case.pk])

    co = _row(api_for("handler2"), case.pk)  # 住建局, 会办
    assert co["role"] == "co"
    assert (co["light"], co["overdue"], co["co_late"]) == ("red", False, True)
    lead = _row(api_for("handler1"), case.pk)  # 教育局, 主办
    assert (lead["light"], lead["overdue"], lead["co_late"]) == ("green", False, False)
    html = text(client_for("handler2").get("/handling/", {"q": p.title[:6]}))
    assert "会办意见逾期" in html and '<span class="badge text-bg-danger">逾期</span>' not in html
    assert 'class="light-dot light-red"' in html

    # Counted as it is shown: the 会办 unit's summary and red filter, the board's row of each unit.
    co_unit, lead_unit = co["unit"]["id"], lead["unit"]["id"]
    red = api_for("handler2").get(INBOX, {"light": "red"}).json()["items"]
    assert case.pk in {x["case_id"] for x in red}
    assert case.pk not in {
        x["case_id"] for x in api_for("handler2").get(INBOX, {"light": "green"}).json()["items"]
    }
    board = {u["unit_id"]: u for u in api_for("staff").get("/api/v1/handling/board").json()["units"]}
    shown = {}
    for unit_id in (co_unit, lead_unit):
        items = api_for("staff").get(INBOX, {"unit": unit_id}).json()["items"]
        shown[unit_id] = {c: sum(1 for x in items if x["light"] == c) for c in ("red", "yellow", "green")}
        assert {c: board[unit_id][c] for c in ("red", "yellow", "green")} == shown[unit_id]
    assert shown[co_unit]["red"] >= 1

    # The daily job keeps it: a 会办 row whose deadline passes while the case's light stays the same.
    Assignment.objects.filter(case=case, role="co").update(deadline=timezone.localdate(), light="green")
    lights.refresh_lights(today=timezone.localdate() + datetime.timedelta(days=1))
    assert Assignment.objects.get(case=case, role="co").light == "red"
    assert Assignment.objects.get(case=case, role="lead").light == "green"

    # Past the case's deadline: red on every unit's row; 逾期 on the replying unit's, 会办意见逾期 on the other.
    Case.objects.filter(pk=case.pk).update(deadline=yesterday)
    Assignment.objects.filter(case=case).update(deadline=yesterday)
    lights.refresh([case.pk])
    for who, overdue, co_late in (("handler1", True, False), ("handler2", False, True)):
        row = _row(api_for(who), case.pk)
        assert (row["light"], row["overdue"], row["co_late"]) == ("red", overdue, co_late)


@pytest.mark.parametrize(
    "case_light, role, deadline_days, owes, expected",
    [
        ("red", "co", -1, True, ("red", False, True)),  # its own light: 会办意见逾期, not 逾期
        ("green", "co", 5, False, ("green", False, False)),  # its opinion is in: not late
        ("green", "lead", -1, True, ("green", False, False)),
        ("yellow", "lead", 3, True, ("yellow", False, False)),
        ("red", "lead", -1, True, ("red", True, False)),
        ("red", "parallel", 5, True, ("red", True, False)),
        ("", "lead", -1, True, (None, False, False)),
    ],
)
def test_row_light_gives_the_label_with_the_light(case_light, role, deadline_days, owes, expected):
    # Today is the day the page is drawn: no caller passes another one (the dead `today` argument is gone).
    assert "today" not in inspect.signature(row_light).parameters
    deadline = timezone.localdate() + datetime.timedelta(days=deadline_days)
    light, overdue, co_late = row_light(case_light, deadline, role, owes)
    assert (light, overdue, co_late) == expected
    assert overdue == (light == "red" and role != "co")


@pytest.mark.parametrize(
    "case_light, deadline_days, expected",
    [
        ("green", -1, "red"),
        ("green", 3, "yellow"),
        ("red", 30, "green"),
        ("yellow", 30, "green"),
        ("", -1, ""),
    ],
)
def test_a_co_units_light_is_its_own_deadlines(case_light, deadline_days, expected):
    today = datetime.date(2026, 6, 1)
    assert lights.co_light(case_light, today + datetime.timedelta(days=deadline_days), today, 5) == expected
