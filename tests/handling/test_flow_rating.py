"""Several raters on a flow case (Kind.rating_rule): "first" — the first rating decides; "all" — as joint
proposers do, 不满意 from any rater sends the unit back at once and the case closes when every member rater
has rated (the decision is handling.selectors.all_rated, which proposals use too). 批示落实 of a 社情民意
item with several authors follows "all"."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.opinions.conftest import opinion_in  # noqa: F401  (fixture)
from zhengxie.core.errors import Conflict
from zhengxie.core.models import User
from zhengxie.handling import kinds
from zhengxie.handling.models import Case, Event
from zhengxie.handling.services import flow
from zhengxie.opinions import services as opinions

from .test_flow import CLOSED, Item, _may_view, api, post

pytestmark = pytest.mark.django_db

RATERS = ("member1", "member2")


def _kind(name, rule):
    return kinds.register(
        kinds.Kind(
            name=name,
            label="测试多人评价",
            prefix=name.replace("_", ""),
            flow=True,
            uses_classes=False,
            contact_days=0,
            office="information",
            rating_rule=rule,
            may_view=_may_view,
            may_rate=lambda case, user: user.username in RATERS,
            raters_users=lambda case: list(User.objects.filter(username__in=RATERS)),
            on_close=lambda case: CLOSED.append(case.pk),
        )
    )


ALL = _kind("flow_all_test", "all")
FIRST = _kind("flow_first_test", "first")


def _replied(user, units, kind) -> Case:
    case = flow.route(
        user=user("info"),
        kind=kind.name,
        item=Item(),
        organisation=user("info").organisation,
        title="多人评价样例",
        unit=units["教育局"],
    )
    flow.reply(user=user("handler1"), case=case, content="已办理。")
    return case


def _status(case) -> str:
    return Case.objects.get(pk=case.pk).status


def test_rule_all_closes_when_every_rater_has_rated(user, units, api_for):
    CLOSED.clear()
    case = _replied(user, units, ALL)
    assert sorted(flow.rater_keys(case)) == sorted(f"member:{user(n).member.pk}" for n in RATERS)

    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert r.json()["timeline"][-1]["label"].endswith("满意，待其他评价人评价")
    # The one who rated is offered nothing more and refused; the other still rates.
    assert api_for("member1").get(api(case)).json()["actions"] == []
    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 409 and r.json()["code"] == "already_evaluated"
    assert api_for("member2").get(api(case)).json()["actions"] == ["rate"]
    assert CLOSED == []

    r = post(api_for("member2"), case, "rate", {"rating": "basically_satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert CLOSED == [case.pk]


def test_rule_all_sends_back_on_any_unsatisfied_and_all_rate_the_new_reply(user, units):
    case = _replied(user, units, ALL)
    flow.rate(user=user("member1"), case=case, rating="satisfied")
    flow.rate(user=user("member2"), case=case, rating="unsatisfied", comment="还差两处。")
    c = Case.objects.get(pk=case.pk)
    assert (c.status, c.round) == ("rehandling", 2)

    flow.reply(user=user("handler1"), case=case, content="已全部办理。")
    # member1's rating was of the old reply: the new one waits for both.
    flow.rate(user=user("member2"), case=case, rating="satisfied")
    assert _status(case) == "replied"
    assert "rate" in flow.allowed_actions(user("member1"), Case.objects.get(pk=case.pk))
    flow.rate(user=user("member1"), case=case, rating="satisfied")
    assert _status(case) == "closed"


def test_rule_first_the_first_rating_decides(user, units):
    case = _replied(user, units, FIRST)
    assert flow.rater_keys(case) == []
    flow.rate(user=user("member2"), case=case, rating="satisfied")
    assert _status(case) == "closed"
    with pytest.raises(Conflict):
        flow.rate(user=user("member1"), case=case, rating="satisfied")


def test_the_instruction_of_an_item_with_two_authors_waits_for_both(user, opinion_in):  # noqa: F811
    assert kinds.get("opinion_instruction").rating_rule == "all"
    o = opinion_in("accepted", co_authors=["member2"])
    i = opinions.instruction_add(
        user=user("info"),
        opinion=o,
        leader="县长 李明",
        level="county",
        content="请县教育局牵头研究落实。",
        unit=user("handler1").handling_unit.pk,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    case = i.case
    flow.reply(user=user("handler1"), case=case, content="已落实。")
    flow.rate(user=user("member1"), case=case, rating="satisfied")
    assert _status(case) == "replied"
    assert Event.objects.filter(case=case, action="rate").count() == 1
    flow.rate(user=user("member2"), case=case, rating="satisfied")
    assert _status(case) == "closed"
