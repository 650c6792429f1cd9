"""The proposal to-do cards on a busy day open lists of exactly what they count: a member's replies to rate,
co-signing invitations, proposals with requests to join (two requests on one proposal are one row) and
drafts; the office's review queue (and its overdue part), proposals to assign, units' requests to change
and red items; a unit's cards."""

import datetime

import pytest
from django.utils import timezone

from tests.todo_cards import check_cards
from zhengxie.core.navigation import todos_for
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def _counts(user) -> dict:
    return {t["label"]: t["count"] for t in todos_for(user)}


def test_every_proposal_card_counts_the_rows_it_opens(client_for, user, proposal_in):
    proposal_in("replied", author="member1", cosigners=["member3"])  # member1 and member3 rate it
    proposal_in("draft", author="member1")
    invited = proposal_in(
        "draft", author="member1", cosigners=["member2"], title="关于增设乡村学校校车的建议"
    )
    services.proposal_submit(
        user=user("member1"), proposal=invited, confirm_single_matter=True
    )  # member2 invited
    joined = proposal_in("submitted", author="member1", title="关于建设县城学生营养餐配送中心的建议")
    services.proposal_request_join(user=user("member2"), proposal=joined)
    services.proposal_request_join(user=user("member3"), proposal=joined)
    late = proposal_in("submitted", author="member2", title="关于改善乡镇中学食堂条件的建议")
    Proposal.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=90))
    asked = proposal_in("handling", author="member3", title="关于加强校园周边交通安全的建议")
    services.assignment_request_change(user=user("handler1"), proposal=asked, reason="该事项属交通部门职责。")

    m1, m2, m3 = user("member1"), user("member2"), user("member3")
    assert _counts(m1)["有加入申请待处理的提案"] >= 1
    assert _counts(m2)["待确认的联名附议"] >= 1
    assert _counts(m1)["待评价的提案答复"] >= 1 and _counts(m3)["待评价的提案答复"] >= 1
    assert _counts(user("staff"))["审查超期的提案"] >= 1
    assert _counts(user("staff"))["承办单位调整申请"] >= 1
    for name in ("member1", "member2", "member3", "staff", "handler1", "unithead1", "handler2"):
        check_cards(client_for(name), user(name))
