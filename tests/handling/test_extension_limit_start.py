"""The latest deadline 延期 may set is counted from the day of 交办 in the platform's time zone (or from
today when the item has not been assigned yet) — once, in the spine (supervision.latest_deadline): the
proposals' own limit (the detail page's 延期 offer, its form, its service) reads the same date as the
督办台's for the same proposal (issue #8 review: the proposals recomputed the start date themselves)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhengxie.handling import kinds
from zhengxie.handling.models import Case
from zhengxie.handling.services import supervision
from zhengxie.proposals import selectors
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_the_start_is_the_local_day_of_the_assignment_or_today(proposal_in):
    p = proposal_in("assigned")
    kind = kinds.get("proposal")
    # 17:30 UTC is 01:30 the next day in Beijing: the limit counts from the Beijing day.
    assigned = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    assert supervision.latest_deadline(kind, p.organisation, assigned) == (datetime.date(2026, 8, 29), 180)
    assert supervision.latest_deadline(kind, p.organisation, datetime.date(2026, 3, 1)) == (
        datetime.date(2026, 8, 28),
        180,
    )
    today = timezone.localdate()
    assert supervision.latest_deadline(kind, p.organisation, None) == (
        today + datetime.timedelta(days=180),
        180,
    )


def test_the_proposal_and_the_board_read_one_limit(proposal_in):
    p = proposal_in("assigned")
    assigned = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    Proposal.objects.filter(pk=p.pk).update(assigned_at=assigned)
    Case.objects.filter(pk=p.case_id).update(assigned_at=assigned)
    p = Proposal.objects.select_related("case", "organisation").get(pk=p.pk)
    assert selectors.extension_limit(p) == (datetime.date(2026, 8, 29), 180)
    assert supervision.extension_limit(p.case) == selectors.extension_limit(p)
