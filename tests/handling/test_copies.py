"""The assignments' copies of their case (kind, light, organisation), which the 督办 board and the inbox
read instead of the case: right after assignment, after every light change (a service's refresh and the
daily job), for every kind; and the pages' row counts (taken from the board's figures where they say it)
are what the rows say, for every filter."""

import pytest
from django.db.models import F, Q

from tests.proposals.builders import build
from zhengxie.handling import jobs, lights
from zhengxie.handling.models import Assignment, Case, Evaluation, Reply
from zhengxie.proposals import services

from .helpers import days, expected_light, item_case, owed, rows, with_light

pytestmark = pytest.mark.django_db


def wrong_copies():
    """Assignments whose copies differ from their case (none when the copies are right); an active 会办 row's
    light is its own (lights.co_light), not the case's."""
    co = Q(role="co", is_active=True)
    wrong = list(
        Assignment.objects.filter(
            ~Q(kind=F("case__kind"))
            | (~Q(light=F("case__light")) & ~co)
            | ~Q(organisation_id=F("case__organisation_id"))
        ).values_list("pk", "kind", "light", "case__kind", "case__light")
    )
    for a in Assignment.objects.filter(co).select_related("case__organisation"):
        if a.light != expected_light(a):
            wrong.append((a.pk, a.kind, a.light, a.case.kind, expected_light(a)))
    return wrong


def test_every_assignment_of_the_demo_carries_its_case_facts():
    assert Assignment.objects.exists()
    assert wrong_copies() == []


def test_replies_and_ratings_carry_their_case_organisation(user, proposal_in):
    proposal_in("closed")  # replied and rated through the services
    for model in (Reply, Evaluation):
        assert model.objects.exists()
        assert not model.objects.exclude(organisation_id=F("case__organisation_id")).exists()


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
    # (the 会办 unit's own deadline passed too: red by its own light.)
    assert wrong_copies() == []


def test_a_second_kind_keeps_them_through_the_services_refresh(units):
    case = item_case(units["教育局"], deadline=days(3))
    assert Assignment.objects.get(case=case).light == ""  # no light computed yet
    assert lights.refresh([case.pk]) == {case.pk: "yellow"}
    a = Assignment.objects.get(case=case)
    assert (a.kind, a.light, a.organisation_id) == ("test_item", "yellow", case.organisation_id)
    assert wrong_copies() == []


FILTERS = [
    {},
    {"light": "red"},
    {"light": "yellow"},
    {"light": "green"},
    {"status": "unacknowledged"},
    {"status": "unacknowledged", "light": "red"},
    {"kind": "proposal"},
    {"kind": "proposal", "light": "red"},
    {"kind": "test_item", "status": "unacknowledged"},
    {"q": "计数样例"},
]


def _expected(base, f):
    qs = base
    if f.get("kind"):
        qs = qs.filter(case__kind=f["kind"])
    if f.get("status") == "unacknowledged":
        qs = qs.filter(acknowledged_at__isnull=True)
    if f.get("q"):
        qs = qs.filter(case__title__contains=f["q"])
    if f.get("light"):  # the light each row shows (a 会办 unit's own)
        return len(with_light(qs, f["light"]))
    return qs.count()


@pytest.fixture
def mixed(units):
    build(title="计数样例一", light="red", deadline=days(-2))
    build(title="计数样例二", light="yellow", deadline=days(4), unit_name="县住房和城乡建设局")
    item_case(units["教育局"], title="计数样例三", deadline=days(-3))
    item_case(units["住建局"], title="计数样例四", deadline=days(30))
    jobs.check_lights()


def test_the_inbox_page_counts_what_the_rows_say_for_every_filter(client_for, user, mixed):
    c = client_for("handler1")
    mine = owed(unit=user("handler1").handling_unit)
    for f in FILTERS:
        r = c.get("/handling/", f)
        assert r.context["page_obj"].paginator.count == _expected(mine, f), f


def test_the_board_counts_what_the_rows_say_for_every_filter_and_unit(client_for, user, units, mixed):
    c = client_for("staff")
    county = owed(case__organisation__path__startswith=user("staff").organisation.path)
    for unit in (None, units["教育局"], units["住建局"]):
        base = county if unit is None else county.filter(unit=unit)
        for f in FILTERS:
            params = {**f, **({"unit": unit.pk} if unit else {})}
            r = c.get("/handling/board/", params)
            assert r.context["page_obj"].paginator.count == _expected(base, f), params
            if unit is not None:
                assert {x["unit"]["id"] for x in rows(r)} <= {unit.pk}
    # The unit picked stays selected in the filter, each unit once.
    html = c.get("/handling/board/", {"unit": units["住建局"].pk}).content.decode()
    assert f'<option value="{units["住建局"].pk}" selected>{units["住建局"].name}</option>' in html
    assert html.count(f'<option value="{units["教育局"].pk}">') == 1
