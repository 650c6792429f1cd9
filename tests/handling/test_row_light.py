"""One rule gives an inbox row its light and its 逾期 label (issue #8): 逾期 is exactly "the light is red"
(the case's light, which the 督办台 and the `light=` filter count too), never a green dot beside 逾期 nor a
red one without it. A 会办 unit's opinion is due before the case's reply: once its own deadline has passed
its row says 会办意见逾期 (as the proposal's page does), not 逾期, while the case is green."""

from __future__ import annotations

import datetime

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


def test_a_co_units_late_opinion_is_said_apart_from_a_green_light(api_for, client_for, proposal_in):
    p = proposal_in("assigned", co=["住建局"])
    case = Case.objects.get(pk=p.case_id)
    assert case.light == "green"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Assignment.objects.filter(case=case, role="co").update(deadline=yesterday)
    lights.refresh([case.pk])

    co = _row(api_for("handler2"), case.pk)  # 住建局, 会办
    assert co["role"] == "co"
    assert (co["light"], co["overdue"], co["co_late"]) == ("green", False, True)
    lead = _row(api_for("handler1"), case.pk)  # 教育局, 主办
    assert (lead["light"], lead["overdue"], lead["co_late"]) == ("green", False, False)
    html = text(client_for("handler2").get("/handling/", {"q": p.title[:6]}))
    assert "会办意见逾期" in html and '<span class="badge text-bg-danger">逾期</span>' not in html

    # Past the case's deadline: red and 逾期 together, on every unit's row.
    Case.objects.filter(pk=case.pk).update(deadline=yesterday)
    Assignment.objects.filter(case=case).update(deadline=yesterday)
    lights.refresh([case.pk])
    for who in ("handler1", "handler2"):
        row = _row(api_for(who), case.pk)
        assert (row["light"], row["overdue"]) == ("red", True)


@pytest.mark.parametrize(
    "case_light, role, deadline_days, owes, expected",
    [
        ("green", "co", -1, True, ("green", False, True)),
        ("green", "co", -1, False, ("green", False, False)),  # its opinion is in: not late
        ("green", "lead", -1, True, ("green", False, False)),
        ("yellow", "lead", 3, True, ("yellow", False, False)),
        ("red", "lead", -1, True, ("red", True, False)),
        ("red", "parallel", 5, True, ("red", True, False)),
        ("", "lead", -1, True, (None, False, False)),
    ],
)
def test_row_light_gives_the_label_with_the_light(case_light, role, deadline_days, owes, expected):
    today = datetime.date(2026, 6, 1)
    deadline = today + datetime.timedelta(days=deadline_days)
    light, overdue, co_late = row_light(case_light, deadline, role, owes, today)
    assert (light, overdue, co_late) == expected
    assert overdue == (light == "red")
