import datetime
from decimal import Decimal

import pytest

from zhengxie.members.models import Member, Session
from zhengxie.performance import acts as A
from zhengxie.performance import scoring
from zhengxie.performance.models import DutyRecord, MemberYearScore
from zhengxie.performance.services import record_act, revoke_act

YEAR = 2026


@pytest.fixture
def m1(db):
    return Member.objects.select_related("organisation").get(user__username="member1")


@pytest.fixture
def session(db):
    return Session.objects.get(organisation__code="demo-county", year=YEAR)


def total(member, year=YEAR):
    return MemberYearScore.objects.get(member=member, year=year).total


def test_record_act_is_idempotent_per_source(m1, session):
    before = total(m1) if MemberYearScore.objects.filter(member=m1, year=YEAR).exists() else Decimal(0)
    day = datetime.date(YEAR, 1, 10)
    r1 = record_act(member=m1, act=A.PLENARY_ATTEND, source=session, occurred_on=day)
    r2 = record_act(member=m1, act=A.PLENARY_ATTEND, source=session, occurred_on=day)
    assert r1.pk == r2.pk
    assert DutyRecord.objects.filter(member=m1, act=A.PLENARY_ATTEND, voided=False,
                                     source_id=str(session.pk)).count() == 1
    assert total(m1) > before
    assert r1.source_repr == str(session)


def test_revoke_then_record_again(m1, session):
    day = datetime.date(YEAR, 1, 10)
    record_act(member=m1, act=A.SPEECH_WRITTEN, source=session, occurred_on=day)
    record_act(member=m1, act=A.PLENARY_ABSENT, source=session, occurred_on=day)
    with_absence = total(m1)
    revoke_act(member=m1, act=A.PLENARY_ABSENT, source=session)
    assert total(m1) > with_absence  # the default scheme deducts for an absence
    record_act(member=m1, act=A.PLENARY_ATTEND, source=session, occurred_on=day)
    assert not DutyRecord.objects.filter(member=m1, act=A.PLENARY_ABSENT, voided=False,
                                         source_id=str(session.pk)).exists()
    assert scoring.recompute_year(m1.organisation_id, YEAR) > 0
