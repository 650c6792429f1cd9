"""The list count and the statistics are kept (core.datacache): read once per data version and scope, never
one user's figure for another, and a user's own committed action shows at once."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.proposals import selectors, stats
from zhengxie.proposals.models import Proposal

API = "/api/v1/proposals"

pytestmark = pytest.mark.django_db


def _counts_run(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if re.search(r'COUNT\(.*FROM "proposals_proposal"', q["sql"]))


def test_the_api_count_is_kept_and_each_user_gets_their_own(api_for, user):
    cache.clear()
    staff = api_for("staff")
    first = staff.get(API).json()["count"]
    with CaptureQueriesContext(connection) as ctx:
        again = staff.get(API).json()["count"]
    assert again == first and _counts_run(ctx) == 0  # kept: no COUNT the second time
    # Everybody else asks after the staff member's count is kept: each gets the count of what they see.
    for name in ("member1", "handler1", "other", "leader"):
        got = api_for(name).get(API).json()["count"]
        assert got == selectors.proposal_list(user(name)).count(), name
    assert api_for("other").get(API).json()["count"] != first
    assert api_for("member1").get(API).json()["count"] != first
    # Filters are part of the key too.
    accepted = staff.get(API, {"status": "accepted"}).json()["count"]
    assert accepted == selectors.proposal_list(user("staff"), status="accepted").count() != first


def test_a_committed_write_shows_in_the_next_count(api_for, user, django_capture_on_commit_callbacks):
    cache.clear()
    staff = api_for("staff")
    before = staff.get(API, {"status": "accepted"}).json()["count"]
    p = Proposal.objects.filter(organisation=user("staff").organisation, status="submitted").first()
    assert p is not None
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit
        Proposal.objects.filter(pk=p.pk).update(status="accepted")  # a bulk path: no signal is sent
    with CaptureQueriesContext(connection) as ctx:
        after = staff.get(API, {"status": "accepted"}).json()["count"]
    assert after == before + 1 and _counts_run(ctx) == 1


def test_the_list_page_count_is_kept_per_user(client_for, user):
    cache.clear()
    for name in ("staff", "handler1", "staff"):
        r = client_for(name).get("/proposals/", {"per_page": 20})
        assert r.status_code == 200
        assert r.context["page_obj"].paginator.count == selectors.proposal_list(user(name)).count(), name


def test_statistics_are_kept_per_scope_and_follow_a_reply(
    client_for, user, django_capture_on_commit_callbacks
):
    cache.clear()
    staff = user("staff")
    r = client_for("staff").get("/proposals/stats/")
    session = r.context["session"]
    t = r.context["t"]
    assert t["submitted"] > 0
    with CaptureQueriesContext(connection) as ctx:
        again = client_for("staff").get("/proposals/stats/", {"session": session.pk}).context["t"]
    assert again == t and not any("handling_evaluation" in q["sql"] for q in ctx.captured_queries)
    # Another county asking for this session's figures gets none of them (the kept ones are staff's scope).
    assert stats.session_stats(user("other"), session)["totals"]["submitted"] == 0
    assert stats.session_stats(staff, session)["totals"] == t
    # An accepted proposal of the session: the next page counts it.
    p = Proposal.objects.filter(session=session, status="submitted").first()
    assert p is not None
    with django_capture_on_commit_callbacks(execute=True):
        Proposal.objects.filter(pk=p.pk).update(status="accepted")
    after = client_for("staff").get("/proposals/stats/", {"session": session.pk}).context["t"]
    assert after["accepted"] == t["accepted"] + 1 and after["pending"] == t["pending"] - 1
