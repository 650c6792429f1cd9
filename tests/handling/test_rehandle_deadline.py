"""不满意 sends a unit back to re-handle by today + `<prefix>.rehandle_days`, but never earlier than the
deadline it had: a 整改 reply sent back on 12-04 with 12-24 as its deadline kept 12-24 (it became 12-19,
today + 15, in the walkthrough of issue 12). One rule in the spine (handling.services.ratings), for the
flow kinds and for proposals alike."""

# ruff: noqa: F811 (fixtures imported from the supervision tests)
from __future__ import annotations

import pytest

from tests.supervision.conftest import county, make_group, member, today, unit  # noqa: F401
from zhengxie.core.models import Notification, Role, User
from zhengxie.handling.models import Assignment, Case
from zhengxie.handling.services import flow
from zhengxie.proposals import services as proposals
from zhengxie.proposals.models import Proposal
from zhengxie.supervision import services as supervision

from .helpers import days

pytestmark = pytest.mark.django_db


def _rectification(user, make_group, deadline):
    s = make_group()
    item = supervision.add_item(
        user("member2"), s, list="rectification", content="延长窗口服务时间", deadline=deadline
    )
    handler = User.objects.filter(handling_unit_id=s.unit_id, groups__name=Role.UNIT_HANDLER).first()
    flow.reply(user=handler, case=item.case_id, content="已延长至晚七点。")
    return item, handler


def _deadlines(case_id):
    c = Case.objects.get(pk=case_id)
    return c.deadline, Assignment.objects.get(case_id=case_id, is_active=True).deadline


def test_a_rectification_sent_back_early_keeps_its_deadline(client_for, user, make_group):
    # 20 days left, supervision.rehandle_days is 15: today + 15 would be earlier, so the 20 days stay.
    item, handler = _rectification(user, make_group, days(20))
    supervision.confirm(user("member2"), item, accepted=False, note="周末仍未开放")
    assert _deadlines(item.case_id) == (days(20), days(20))
    item.refresh_from_db()
    assert (item.status, item.deadline) == ("rehandling", days(20))
    # What the unit reads on its case page and in the notice it got.
    html = client_for(handler.username).get(f"/handling/cases/{item.case_id}/").content.decode()
    assert f'id="case-deadline">{days(20):%Y-%m-%d}' in html
    assert Notification.objects.filter(
        user=handler, body__contains=f"{days(20):%Y年%m月%d日} 前重新答复"
    ).exists()


def test_a_rectification_sent_back_near_its_deadline_gets_rehandle_days(user, make_group):
    item, _ = _rectification(user, make_group, days(3))
    supervision.confirm(user("member2"), item, accepted=False, note="仍未整改")
    assert _deadlines(item.case_id) == (days(15), days(15))


def test_a_proposal_sent_back_keeps_the_later_of_its_deadline_and_rehandle_days(user, proposal_in):
    p = proposal_in("replied")
    assert p.deadline == days(90)
    proposals.proposal_evaluate(user=user("member1"), proposal=p, rating="unsatisfied", comment="措施不具体")
    p.refresh_from_db()
    assert (p.status, p.deadline) == ("rehandling", days(90))
    assert _deadlines(p.case_id) == (days(90), days(90))

    # Near its deadline (moved to 5 days from now): proposals.rehandle_days (30) from today.
    q = proposal_in("replied", title="关于加强校园周边交通安全管理的提案")
    Proposal.objects.filter(pk=q.pk).update(deadline=days(5))
    Case.objects.filter(pk=q.case_id).update(deadline=days(5))
    Assignment.objects.filter(case_id=q.case_id).update(deadline=days(5))
    proposals.proposal_evaluate(
        user=user("member1"), proposal=q, rating="unsatisfied", comment="未答复到点上"
    )
    q.refresh_from_db()
    assert q.deadline == days(30)
    assert _deadlines(q.case_id) == (days(30), days(30))
