"""The running totals kept by record_act/revoke_act always equal a recompute from the records."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengxie.members.models import Sector, Session
from zhengxie.performance import acts as A
from zhengxie.performance import scoring
from zhengxie.performance.demo import save_template
from zhengxie.performance.models import MemberYearScore
from zhengxie.performance.services import record_act, revoke_act

from .conftest import YEAR

ACT_CODES = list(A.ACTS)
# (member index, act, source index, share, explicit points or None, revoke?)
step = st.tuples(
    st.integers(0, 2),
    st.sampled_from(ACT_CODES),
    st.integers(0, 7),
    st.sampled_from([1.0, 0.5, 0.25, 1 / 3]),
    st.one_of(st.none(), st.integers(-10, 30)),
    st.booleans(),
)


def snapshot(org_id):
    return {
        (r.member_id, r.year): (r.total, r.by_category, r.grade, r.passed, r.record_count)
        for r in MemberYearScore.objects.filter(organisation_id=org_id, year__in=[YEAR, YEAR + 1])
        if r.record_count
    }


@pytest.mark.parametrize("template", ["default", "tongcheng", "jinan"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_running_totals_equal_a_recompute(template, steps, make_member, county):
    with transaction.atomic():
        save_template(county, YEAR, template)
        members = [make_member() for _ in range(3)]
        sources = list(Session.objects.filter(organisation=county)) + list(
            Sector.objects.filter(organisation=county)[:3]
        )
        for mi, act, si, share, points, revoke in steps:
            m, src = members[mi], sources[si]
            if revoke:
                revoke_act(member=m, act=act, source=src)
            else:
                day = datetime.date(YEAR + (si % 2 if act == A.TRAINING else 0), 1 + si, 1)
                record_act(member=m, act=act, source=src, occurred_on=day, share=share, points=points)
        running = snapshot(county.pk)
        scoring.recompute_year(county.pk, YEAR)
        scoring.recompute_year(county.pk, YEAR + 1)
        assert snapshot(county.pk) == running
        transaction.set_rollback(True)


def test_recompute_after_scheme_change_equals_per_member_refresh(make_member, county, user):
    from zhengxie.performance import schemes
    from zhengxie.performance.services import scheme_save

    members = [make_member() for _ in range(4)]
    sources = list(Session.objects.filter(organisation=county))
    for i, m in enumerate(members):
        for j, src in enumerate(sources):
            record_act(
                member=m,
                act=ACT_CODES[(i * 5 + j) % len(ACT_CODES)],
                source=src,
                occurred_on=datetime.date(YEAR, 1, 1),
                share=[1, 0.5][j % 2],
            )
    scheme_save(user=user("admin"), organisation=county, year=YEAR, data=schemes.ANQING)
    after_recompute = snapshot(county.pk)
    for m in members:  # the per-member path (what record_act does) gives the same numbers
        with transaction.atomic():
            scoring.refresh_member(m, YEAR)
    assert snapshot(county.pk) == after_recompute


@pytest.mark.parametrize("template", ["default", "tongcheng", "jinan", "anqing"])
@settings(max_examples=200, deadline=None)
@given(sums=st.dictionaries(st.sampled_from(ACT_CODES), st.integers(-20000, 20000), max_size=12))
def test_fast_and_full_computation_agree(template, sums):
    """recompute_year's integer-cents arithmetic gives what record_act's full computation gives."""
    from decimal import Decimal

    from zhengxie.performance.schemes import TEMPLATES, Resolved

    scheme = Resolved.from_template(TEMPLATES[template])
    full = scheme.compute({a: Decimal(c).scaleb(-2) for a, c in sums.items()})
    total, by_category, grade, passed = scheme.compute_cents(sums)
    assert (total, grade, passed) == (full.total, full.grade, full.passed)
    assert by_category == full.by_category_json()
