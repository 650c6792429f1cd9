"""The demo's 社情民意 (written directly, not through the services) are what the services would have written:
duty records equal an independent recompute, issue numbers gap-free, timelines in order, every submitted
item searchable, and member1 and handler1 have something to show."""

from collections import defaultdict

import pytest
from django.utils import timezone

from zhengxie.core.models import Counter, User
from zhengxie.handling.selectors import inbox
from zhengxie.opinions.models import Adoption, Instruction, Opinion, OpinionIssue
from zhengxie.performance.models import DutyRecord
from zhengxie.search.models import SearchDocument

from .recompute import expected_records, live_records, performance_sums, points_by_member

pytestmark = pytest.mark.django_db

S = Opinion.Status


def test_a_year_of_items_in_every_state():
    county = Opinion.objects.filter(organisation__code="demo-county")
    assert 30 <= county.count() <= 70  # scaled to the test database's 30 members
    assert set(county.values_list("status", flat=True)) == set(S.values)
    assert Opinion.objects.filter(organisation__code="demo-city", source="forwarded").exists()
    assert county.exclude(source_body="").exists()  # written for a party or sector body
    assert set(Adoption.objects.filter(revoked_at=None).values_list("level", flat=True)) == {
        "county",
        "city",
        "province",
        "national",
    }
    assert Instruction.objects.filter(unit__isnull=False).exists()
    now = timezone.now()
    assert not county.filter(created_at__gt=now).exists()
    assert county.dates("created_at", "month").count() >= 3  # spread over the year


def test_member1_and_handler1_have_something_to_show(user):
    m1 = user("member1").member
    mine = Opinion.objects.filter(authors__member=m1, organisation__code="demo-county")
    assert {"draft", "submitted", "returned", "accepted", "filed"} <= set(
        mine.values_list("status", flat=True)
    )
    roots = mine.values_list("root_id", flat=True)
    assert Adoption.objects.filter(root_id__in=roots, revoked_at=None).exists()
    instruction = Instruction.objects.get(root_id__in=roots, unit__isnull=False)
    assert instruction.unit == user("handler1").handling_unit
    assert instruction.case_id in inbox(user("handler1"), kind="opinion_instruction").values_list(
        "case_id", flat=True
    )


def test_issue_numbers_gap_free_and_items_accepted_of_the_organisation():
    by = defaultdict(list)
    for i in OpinionIssue.objects.all():
        by[(i.organisation_id, i.year)].append(i.number)
        assert i.status == "draft" or i.signer
        for o in i.items.all():
            assert o.status == S.ACCEPTED and o.organisation_id == i.organisation_id
    for (org, year), numbers in by.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert Counter.objects.get(organisation_id=org, key=f"opinions.issue.{year}").value == len(numbers)
    # in order of composition (numbers run per year)
    for org, year in by:
        dates = list(
            OpinionIssue.objects.filter(organisation_id=org, year=year)
            .order_by("number")
            .values_list("created_at")
        )
        assert dates == sorted(dates)


def test_timelines_start_with_writing_and_stay_in_order():
    for o in Opinion.objects.prefetch_related("events"):
        events = sorted(o.events.all(), key=lambda e: (e.at, e.id))
        assert events, o.pk
        assert events[0].action == ("received" if o.source == "forwarded" else "create"), o.pk
        if o.status != S.DRAFT:
            assert "submit" in [e.action for e in events] or o.source == "forwarded"
        assert events[-1].at <= timezone.now()
        assert o.created_at <= (o.submitted_at or o.created_at) <= (o.reviewed_at or timezone.now())


def test_every_submitted_item_is_searchable():
    submitted = set(Opinion.objects.exclude(status=S.DRAFT).values_list("pk", flat=True))
    indexed = set(SearchDocument.objects.filter(kind="opinion").values_list("object_id", flat=True))
    assert submitted == indexed


def test_duty_records_equal_a_recompute_from_the_items():
    want, have = expected_records(), live_records()
    assert want == have, {"missing": sorted(want - have)[:10], "extra": sorted(have - want)[:10]}
    # and performance's own aggregate (scoring.year_act_sums) agrees, for this year's records
    county = User.objects.get(username="member1").member.organisation_id
    year = timezone.localdate().year
    this_year = {
        (r.member_id, r.act, int(r.source_id))
        for r in DutyRecord.objects.filter(year=year, voided=False, organisation_id=county)
    }
    records = {k for k in want if (k[0], k[1], k[3]) in this_year}
    assert points_by_member(records, county, year) == performance_sums(county, year)
