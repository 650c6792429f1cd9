"""The staff lists' count of 微建议 (queue page /suggestions/, GET /api/v1/suggestions) is kept between writes
(core.datacache, kind "suggestions"): at 100,000 items the office's count read every visible row of its
subtree on each request (bench/RESULTS.md, 微建议). Each user still gets the count of what they see, and a
citizen's committed submission shows in the office's next count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.suggestions import selectors, services

from .conftest import TEXT

API = "/api/v1/suggestions"

pytestmark = pytest.mark.django_db


def _counts_run(ctx) -> int:
    return sum(
        1 for q in ctx.captured_queries if re.search(r'COUNT\(.*FROM "suggestions_suggestion"', q["sql"])
    )


def _commit_a_submission(county, capture):
    with capture(execute=True):  # the submission's commit (the public page's request)
        services.submit(organisation=county, **TEXT, consent=True, ip="10.9.0.1")


def test_the_office_count_is_kept_and_each_user_gets_their_own(
    api_for, user, county, django_capture_on_commit_callbacks
):
    _commit_a_submission(county, django_capture_on_commit_callbacks)
    office = api_for("office")
    first = office.get(API).json()["count"]
    assert first == selectors.staff_list(user("office")).count() > 0
    with CaptureQueriesContext(connection) as ctx:
        again = office.get(API).json()["count"]
    assert again == first and _counts_run(ctx) == 0  # kept: no COUNT the second time
    # The city's staff ask after the county office's count is kept: they get what they see.
    assert api_for("citystaff").get(API).json()["count"] == selectors.staff_list(user("citystaff")).count()
    received = office.get(API, {"status": "received"}).json()["count"]  # filters are in the key
    assert received == selectors.staff_list(user("office"), status=["received"]).count() < first


def test_a_committed_submission_shows_in_the_next_count_on_the_page_and_the_api(
    api_for, client_for, county, django_capture_on_commit_callbacks
):
    office, page = api_for("office"), client_for("office")
    before = office.get(API).json()["count"]
    assert page.get("/suggestions/").context["page_obj"].paginator.count == before
    _commit_a_submission(county, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as ctx:
        after = office.get(API).json()["count"]
    assert after == before + 1 and _counts_run(ctx) == 1
    assert page.get("/suggestions/").context["page_obj"].paginator.count == before + 1
