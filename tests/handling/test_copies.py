"""The assignments' copies of their case (kind, light, organisation), which the 督办 board and the inbox
read instead of the case: right after assignment, after every light change (a service's refresh and the
daily job), for every kind."""

import pytest
from django.db.models import F, Q

from zhengxie.handling import jobs, lights
from zhengxie.handling.models import Assignment, Case
from zhengxie.proposals import services

from .helpers import days, item_case

pytestmark = pytest.mark.django_db


def wrong_copies():
    """Assignments whose copies differ from their case (none when the copies are right)."""
    return list(
        Assignment.objects.filter(
            ~Q(kind=F("case__kind"))
            | ~Q(light=F("case__light"))
            | ~Q(organisation_id=F("case__organisation_id"))
        ).values_list("pk", "kind", "light", "case__kind", "case__light")
    )


def test_every_assignment_of_the_demo_carries_its_case_facts():
    assert Assignment.objects.exists()
    assert wrong_copies() == []


def test_a_new_assignment_carries_them_and_a_light_change_reaches_it(user, units, proposal_in):
    p = proposal_in("accepted")
    services.proposal_assign(
        user=user("staff"), proposal=p, lead_unit=units["教育局"], co_units=[units["住建局"]]
    )
    rows_ = list(Assignment.objects.filter(case_id=p.case_id))
    assert len(rows_) == 2
    assert {(a.kind, a.organisation_id) for a in rows_} == {("proposal", p.organisation_id)}
    assert wrong_copies() == []
    # The deadline passes: the daily job turns the case red, and its assignments with it.
    Case.objects.filter(pk=p.case_id).update(deadline=days(-1))
    Assignment.objects.filter(case_id=p.case_id).update(deadline=days(-1))
    jobs.check_lights()
    assert Case.objects.get(pk=p.case_id).light == "red"
    assert set(Assignment.objects.filter(case_id=p.case_id).values_list("light", flat=True)) == {"red"}
    assert wrong_copies() == []


def test_a_second_kind_keeps_them_through_the_services_refresh(units):
    case = item_case(units["教育局"], deadline=days(3))
    assert Assignment.objects.get(case=case).light == ""  # no light computed yet
    assert lights.refresh([case.pk]) == {case.pk: "yellow"}
    a = Assignment.objects.get(case=case)
    assert (a.kind, a.light, a.organisation_id) == ("test_item", "yellow", case.organisation_id)
    assert wrong_copies() == []
