"""What `flow.allowed_actions` offers is exactly what the flow's services accept (issue #8), for every
state of a flow case (assigned, acknowledged, replied, rehandling, closed; with 签发 on: a draft waiting
for the head, a draft returned; with several raters: one has rated) × every role (the unit's handler and
head, another unit, the office, the rater, another member who sees it, a leader).

Each scenario is driven through the real services; then every user tries every action with valid input
inside a savepoint that is rolled back: accepted means no exception, refused means Forbidden, Conflict or
NotFound; an Invalid means this test's input was wrong. The offer is read twice — bare, and as the case
page and the API read it (rows prefetched) — and must not differ."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from tests.proposals.conftest import pdf_upload
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.handling import case_selectors
from zhengxie.handling.models import Case
from zhengxie.handling.services import flow

from .test_flow import route
from .test_flow_rating import ALL
from .test_flow_rating import _replied as _replied_by
from .test_signoff import signoff_on

pytestmark = pytest.mark.django_db

USERS = ("handler1", "unithead1", "handler2", "info", "member1", "member2", "leader")
ACTIONS = {
    "acknowledge": lambda u, c: flow.acknowledge(user=u, case=c),
    "reply": lambda u, c: flow.reply(user=u, case=c, content="已办理。"),
    "attach_letter": lambda u, c: flow.attach_letter(user=u, case=c, upload=pdf_upload()),
    "rate": lambda u, c: flow.rate(user=u, case=c, rating="satisfied"),
    "extend": lambda u, c: flow.extend(
        user=u,
        case=c,
        new_deadline=(c.deadline or timezone.localdate()) + datetime.timedelta(days=30),
        reason="需协调。",
    ),
    "sign": lambda u, c: flow.sign(user=u, case=c, decision="sign"),
    "request_change": lambda u, c: flow.request_change(user=u, case=c, reason="不属于本单位职责。"),
    "decide_change": lambda u, c: flow.decide_change(user=u, case=c, grant=False, note="请继续办理。"),
    "record_contact": lambda u, c: flow.record_contact(
        user=u, case=c, contacted_on=timezone.localdate(), method="phone", summary="电话沟通办理思路。"
    ),
}


def _assigned(user, units):
    return route(user, units)


def _acknowledged(user, units):
    case = route(user, units)
    flow.acknowledge(user=user("handler1"), case=case)
    return case


def _acknowledged_signoff_on(user, units):
    signoff_on()
    return _acknowledged(user, units)


def _replied(user, units):
    case = route(user, units)
    flow.reply(user=user("handler1"), case=case, content="已办理。")
    return case


def _rehandling(user, units):
    case = _replied(user, units)
    flow.rate(user=user("member1"), case=case, rating="unsatisfied", comment="未办完。")
    return case


def _closed(user, units):
    case = _replied(user, units)
    flow.rate(user=user("member1"), case=case, rating="satisfied")
    return case


def _draft_waiting(user, units):
    signoff_on()
    case = route(user, units)
    flow.reply(user=user("handler1"), case=case, content="拟答复。")
    return case


def _draft_returned(user, units):
    case = _draft_waiting(user, units)
    flow.sign(user=user("unithead1"), case=case, decision="return", reason="请补充。")
    return case


def _rehandling_draft_waiting(user, units):
    case = _rehandling(user, units)
    signoff_on()
    flow.reply(user=user("handler1"), case=case, content="再次拟答复。")
    return case


def _replied_one_of_two_rated(user, units):
    case = _replied_all(user, units)
    flow.rate(user=user("member1"), case=case, rating="satisfied")
    return case


def _replied_all(user, units):
    """A kind with rating_rule "all" (member1 and member2 rate)."""
    return _replied_by(user, units, ALL)


SCENARIOS = {
    f.__name__.lstrip("_"): f
    for f in (
        _assigned,
        _acknowledged,
        _acknowledged_signoff_on,
        _replied,
        _rehandling,
        _closed,
        _draft_waiting,
        _draft_returned,
        _rehandling_draft_waiting,
        _replied_one_of_two_rated,
    )
}
EXPECTED_STATUS = {
    "assigned": "assigned",
    "acknowledged": "acknowledged",
    "acknowledged_signoff_on": "acknowledged",
    "replied": "replied",
    "rehandling": "rehandling",
    "closed": "closed",
    "draft_waiting": "acknowledged",
    "draft_returned": "acknowledged",
    "rehandling_draft_waiting": "rehandling",
    "replied_one_of_two_rated": "replied",
}


def outcome(action, u, case_pk) -> tuple[str, str]:
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            ACTIONS[action](u, Case.objects.get(pk=case_pk))
            return "accepted", ""
        except (Forbidden, Conflict, NotFound) as e:
            return "refused", f"{type(e).__name__}: {e.message}"
        except Invalid as e:
            return "invalid", e.message
        finally:
            transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_allowed_actions_are_what_the_flow_services_accept(scenario, user, units):
    case = SCENARIOS[scenario](user, units)
    assert Case.objects.get(pk=case.pk).status == EXPECTED_STATUS[scenario]
    mismatches = []
    for name in USERS:
        u = user(name)
        offered = flow.allowed_actions(u, Case.objects.get(pk=case.pk))
        page = case_selectors.with_rows(Case.objects.get(pk=case.pk))
        via_page = flow.allowed_actions(u, page, list(page.assignments.all()))
        if via_page != offered:
            mismatches.append(f"  {name:10} (prefetched) offers {via_page}, bare {offered}")
        for action in ACTIONS:
            result, detail = outcome(action, u, case.pk)
            if result == "invalid" or (action in offered) != (result == "accepted"):
                mismatches.append(
                    f"  {name:10} {action:14} offered={action in offered!s:5} {result} {detail}"
                )
    if mismatches:
        pytest.fail(f"«{scenario}»:\n" + "\n".join(mismatches), pytrace=False)
