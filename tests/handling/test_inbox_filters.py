"""`GET /api/v1/inbox` refuses a filter it does not know (issue #8) instead of answering 200 with an empty
list, in the project's error shape ({"detail", "code", "field"}, 422) with a Chinese message naming the
allowed values; the 承办工作台 page says the same and shows everything."""

from __future__ import annotations

import pytest

from zhengxie.handling.selectors import STATUSES

from .helpers import messages_of

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox"


def test_an_unknown_status_is_422_naming_the_allowed_values(api_for, proposal_in):
    proposal_in("handling")
    for who in ("handler1", "staff"):
        r = api_for(who).get(INBOX, {"status": "bogus"})
        assert r.status_code == 422
        body = r.json()
        assert body["field"] == "status" and body["code"] == "invalid"
        assert body["detail"].startswith(
            "办理节点不正确，须为 unacknowledged（未签收）、change_pending（申请调整待审）"
        )
        assert all(k in body["detail"] for k in STATUSES)
    # Every allowed value answers 200; the empty one too.
    for status in ["", *STATUSES]:
        assert api_for("handler1").get(INBOX, {"status": status}).status_code == 200, status
    assert api_for("handler1").get(INBOX, {"status": "assigned"}).json()["count"] >= 1


def test_an_unknown_kind_or_light_names_the_allowed_values(api_for):
    r = api_for("handler1").get(INBOX, {"kind": "bogus"})
    assert r.status_code == 422 and r.json()["field"] == "kind"
    assert "proposal（提案）" in r.json()["detail"] and "public_suggestion（微建议）" in r.json()["detail"]
    r = api_for("handler1").get(INBOX, {"light": "blue"})
    assert r.status_code == 422 and r.json() == {
        "detail": "督办灯须为 red、yellow 或 green。",
        "code": "invalid",
        "field": "light",
    }


def test_the_page_says_so_and_shows_everything(client_for, proposal_in):
    proposal_in("handling")
    r = client_for("handler1").get("/handling/", {"status": "bogus"})
    assert r.status_code == 200
    assert any(m.startswith("办理节点不正确，须为 unacknowledged（未签收）") for m in messages_of(r))
    assert r.context["page_obj"].paginator.count >= 1
