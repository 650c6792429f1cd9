import datetime
from decimal import Decimal

import pytest

from zhengxie.core.errors import Invalid
from zhengxie.members.models import Session
from zhengxie.performance import acts as A
from zhengxie.performance import schemes, scoring
from zhengxie.performance.demo import save_template
from zhengxie.performance.models import DutyRecord, MemberYearScore
from zhengxie.performance.services import record_act, revoke_act

from .conftest import YEAR

DAY = datetime.date(YEAR, 3, 1)


@pytest.fixture
def sessions(county):
    return list(Session.objects.filter(organisation=county).order_by("pk"))


def score(member, year=YEAR):
    return MemberYearScore.objects.get(member=member, year=year)


def test_record_act_is_idempotent_per_member_act_and_source(make_member, sessions):
    m = make_member()
    r1 = record_act(member=m, act=A.PROPOSAL_SUBMIT, source=sessions[0], occurred_on=DAY)
    r2 = record_act(member=m, act=A.PROPOSAL_SUBMIT, source=sessions[0], occurred_on=DAY)
    assert r1.pk == r2.pk
    assert DutyRecord.objects.filter(member=m, voided=False).count() == 1
    assert score(m).total == Decimal("8.00")  # the default scheme: 8 per proposal
    assert score(m).record_count == 1
    # Another source, or another act on the same source, is another record.
    record_act(member=m, act=A.PROPOSAL_SUBMIT, source=sessions[1], occurred_on=DAY)
    record_act(member=m, act=A.PROPOSAL_ACCEPT, source=sessions[0], occurred_on=DAY)
    assert score(m).total == Decimal("21.00")
    assert r1.source_repr == str(sessions[0]) and r1.year == YEAR and r1.category == A.PROPOSALS


def test_revoke_voids_the_record_and_lowers_the_total(make_member, sessions):
    m = make_member()
    record_act(member=m, act=A.SPEECH_WRITTEN, source=sessions[0], occurred_on=DAY)
    record_act(member=m, act=A.PLENARY_ATTEND, source=sessions[1], occurred_on=DAY)
    assert score(m).total == Decimal("25.00")
    revoke_act(member=m, act=A.PLENARY_ATTEND, source=sessions[1])
    assert score(m).total == Decimal("5.00")
    assert DutyRecord.objects.filter(member=m, act=A.PLENARY_ATTEND, voided=True).count() == 1
    # Attendance corrected back: a new live record, the voided one stays for the history.
    record_act(member=m, act=A.PLENARY_ATTEND, source=sessions[1], occurred_on=DAY)
    assert score(m).total == Decimal("25.00")
    revoke_act(member=m, act=A.PLENARY_ABSENT, source=sessions[1])  # nothing to revoke: no-op
    assert score(m).total == Decimal("25.00")


def test_caps_per_act_and_per_category_are_applied_in_totals(make_member, sessions, county):
    save_template(county, YEAR, "tongcheng")
    m = make_member()
    for s in sessions[:3]:  # 3 × (10 submitted + 15 accepted) = 75, category cap 25
        record_act(member=m, act=A.PROPOSAL_SUBMIT, source=s, occurred_on=DAY)
        record_act(member=m, act=A.PROPOSAL_ACCEPT, source=s, occurred_on=DAY)
    record_act(member=m, act=A.PLENARY_ATTEND, source=sessions[0], occurred_on=DAY)
    record_act(member=m, act=A.PLENARY_ATTEND, source=sessions[1], occurred_on=DAY)  # per-act cap 50
    s = score(m)
    assert s.by_category[A.PROPOSALS] == 25.0
    assert s.by_category[A.MEETINGS] == 50.0
    assert s.total == Decimal("75.00")
    # Records are all kept: the caps only shape the total.
    assert DutyRecord.objects.filter(member=m, voided=False).count() == 8
    detail = scoring.resolve(county.pk, YEAR).compute(scoring.act_sums_for_member(m.pk, YEAR)[0])
    assert detail.by_category[A.PROPOSALS]["raw"] == Decimal("75.00")
    assert [line.act for line in detail.lines if line.capped] == [A.PLENARY_ATTEND]


def test_joint_proposal_share_splits_points(make_member, sessions, county):
    save_template(county, YEAR, "tongcheng")
    lead, co1, co2 = make_member(), make_member(), make_member()
    record_act(member=lead, act=A.PROPOSAL_SUBMIT, source=sessions[0], occurred_on=DAY, share=0.5)
    record_act(member=co1, act=A.PROPOSAL_SUBMIT, source=sessions[0], occurred_on=DAY, share=0.25)
    record_act(member=co2, act=A.PROPOSAL_SUBMIT, source=sessions[0], occurred_on=DAY, share=0.25)
    assert [score(x).total for x in (lead, co1, co2)] == [Decimal("5.00"), Decimal("2.50"), Decimal("2.50")]
    r = DutyRecord.objects.get(member=co1)
    assert r.share == Decimal("0.25") and not r.points_fixed


def test_explicit_points_are_kept_when_the_scheme_changes(make_member, sessions, county, user):
    from zhengxie.performance.services import scheme_save

    m = make_member()
    record_act(member=m, act=A.OPINION_INSTRUCTION, source=sessions[0], occurred_on=DAY, points=12)
    record_act(member=m, act=A.OPINION_SUBMIT, source=sessions[0], occurred_on=DAY)
    assert score(m).total == Decimal("17.00")
    data = dict(schemes.DEFAULT, rules=[dict(r, points=1) for r in schemes.DEFAULT["rules"]])
    scheme_save(user=user("admin"), organisation=county, year=YEAR, data=data)
    assert score(m).total == Decimal("13.00")  # 12 fixed + 1 from the new scheme


def test_bad_input_is_refused_in_chinese(make_member):
    m = make_member()
    with pytest.raises(Invalid, match="未知的履职事项"):
        record_act(member=m, act="nonsense")
    with pytest.raises(Invalid, match="分享比例"):
        record_act(member=m, act=A.TRAINING, share=1.5)
    assert record_act(member=None, act=A.TRAINING) is None


def test_occurred_on_decides_the_year(make_member, sessions):
    m = make_member()
    record_act(member=m, act=A.TRAINING, source=sessions[0], occurred_on=datetime.date(YEAR + 1, 1, 2))
    assert score(m, YEAR + 1).total == Decimal("2.00")
    assert not MemberYearScore.objects.filter(member=m, year=YEAR, record_count__gt=0).exists()
