"""The demo loaders credit thousands of acts at once (performance.services.bulk_record): the records and
the members' year totals must be exactly those record_act writes one act at a time."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from zhengxie.performance import acts as A
from zhengxie.performance.models import DutyRecord, MemberYearScore
from zhengxie.performance.services import Credit, bulk_record, record_act
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db

COLUMNS = ("member_id", "act", "category", "points", "share", "year", "source_ct", "source_id", "occurred_on")


def _written(members):
    records = sorted(
        tuple(getattr(r, c) for c in COLUMNS)
        for r in DutyRecord.objects.filter(member__in=members, voided=False, note="bulk-test")
    )
    totals = {
        (s.member_id, s.year): s.total
        for s in MemberYearScore.objects.filter(member__in=members).only("member_id", "year", "total")
    }
    return records, totals


def test_bulk_record_writes_what_record_act_writes(make_member):
    a, b = make_member("甲委员"), make_member("乙委员")
    p, q = Proposal.objects.order_by("pk")[:2]
    day = datetime.date.today() - datetime.timedelta(days=3)
    credits = [
        Credit(a, A.PROPOSAL_SUBMIT, p, day, 0.5, note="bulk-test"),
        Credit(b, A.PROPOSAL_SUBMIT, p, day, 0.5, note="bulk-test"),
        Credit(a, A.PROPOSAL_SUBMIT, p, day, 0.5, note="bulk-test"),  # the same act again: once
        Credit(a, A.PROPOSAL_ACCEPT, q, day, 1, note="bulk-test"),
        Credit(b, A.PROPOSAL_KEY, q, day, Decimal("0.3333"), note="bulk-test"),
    ]
    with transaction.atomic():
        bulk_record(credits)
        bulk = _written([a, b])
        transaction.set_rollback(True)
    for c in credits:
        record_act(member=c.member, act=c.act, source=c.source, occurred_on=c.day, share=c.share, note=c.note)
    assert bulk == _written([a, b])
    records, totals = bulk
    assert len(records) == 4 and all(t > 0 for t in totals.values())
