"""延期 of an item whose deadline is already past the kind's limit (issue #8, walkthrough): a proposal
re-handled after 不满意 can owe its reply after 「交办之日起 180 天」. The 督办台's 延期 page then said 「延期后的
期限不能超过交办之日起 180 天（2026-09-05）」 beside 「现办理期限 2026-12-13」, whatever date was typed: it now
says that no further extension is possible and why, by the field, and nothing moves."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhengxie.handling.models import Case, Extension
from zhengxie.proposals.models import Proposal

from .helpers import days, text

pytestmark = pytest.mark.django_db


def test_an_item_past_the_limit_says_it_cannot_be_extended(proposal_in, client_for):
    p = proposal_in("assigned")
    assigned = timezone.now() - datetime.timedelta(days=200)
    Proposal.objects.filter(pk=p.pk).update(assigned_at=assigned, deadline=days(10))
    Case.objects.filter(pk=p.case_id).update(assigned_at=assigned, deadline=days(10))
    limit = timezone.localdate(assigned) + datetime.timedelta(days=180)

    r = client_for("staff").post(
        f"/handling/board/{p.case_id}/extend/", {"new_deadline": str(days(20)), "reason": "需协调多部门。"}
    )
    assert r.status_code == 422
    message = f"现办理期限（{days(10):%Y-%m-%d}）已在交办之日起 180 天（{limit:%Y-%m-%d}）之后，不能再延期。"
    assert message in text(r)
    assert "需协调多部门。" in text(r)  # kept
    assert Case.objects.get(pk=p.case_id).deadline == days(10)
    assert not Extension.objects.filter(case_id=p.case_id).exists()
