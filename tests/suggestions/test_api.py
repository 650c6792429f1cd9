"""The API contract of issue 10: public endpoints without a token, the staff's with one."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhengxie.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db

BODY = {"title": "公交站没有遮雨棚", "content": "人民医院站没有遮雨棚，老人候车淋雨。", "consent": True}


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_public_journey_through_the_api(county, api_for, user, education):
    anon = Client(REMOTE_ADDR="10.3.0.1")
    r = _post(
        anon, "/api/v1/public/suggestions", {**BODY, "organisation_id": county.pk, "phone": "13700001111"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"tracking_code", "status"} and body["status"] == "received"
    code = body["tracking_code"]
    r = anon.get(f"/api/v1/public/suggestions/{code}")
    assert r.status_code == 200
    assert r.json() == {
        "status": "received",
        "title": BODY["title"],
        "created_at": r.json()["created_at"],
        "reply": None,
        "merged_into": None,  # extension (issue 17): set when merged with another citizen's suggestion
    }
    office = api_for("office")
    s = Suggestion.objects.get(tracking_code=code)
    r = _post(office, f"/api/v1/suggestions/{s.pk}/moderate", {"decision": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["phone"] == "13700001111"
    r = _post(office, f"/api/v1/suggestions/{s.pk}/route", {"unit_id": education.pk})
    assert r.status_code == 200 and r.json()["status"] == "routed"
    unit = api_for("handler1")
    r = unit.get(f"/api/v1/suggestions/{s.pk}")
    assert r.status_code == 200 and r.json()["phone"] == "137****1111"
    r = _post(unit, f"/api/v1/suggestions/{s.pk}/reply", {"content": "将增设遮雨棚。"})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    r = anon.get(f"/api/v1/public/suggestions/{code}")
    reply = r.json()["reply"]
    assert (
        r.json()["status"] == "replied"
        and reply["content"] == "将增设遮雨棚。"
        and reply["unit"] == education.name
    )
    r = _post(anon, f"/api/v1/public/suggestions/{code}/rate", {"rating": "basically_satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = _post(anon, f"/api/v1/public/suggestions/{code}/rate", {"rating": "satisfied"})
    assert r.status_code == 409
    r = _post(office, f"/api/v1/suggestions/{s.pk}/publish", {})
    assert r.status_code == 200 and r.json()["published"]
    r = anon.get(f"/api/v1/public/suggestions?organisation_id={county.pk}")
    assert r.status_code == 200
    items = r.json()["items"]
    assert r.json()["count"] == len(items) >= 1
    row = next(i for i in items if i["id"] == s.pk)
    assert "13700001111" not in str(r.json()) and "phone" not in row and "name" not in row


def test_wrong_code_is_404_and_nothing_of_anyone_else():
    r = Client().get("/api/v1/public/suggestions/ABCDEFGHJK")
    assert r.status_code == 404 and r.json()["detail"]
    r = _post(Client(), "/api/v1/public/suggestions/ABCDEFGHJK/rate", {"rating": "satisfied"})
    assert r.status_code == 404


def test_consent_and_validation(county):
    r = _post(
        Client(), "/api/v1/public/suggestions", {**BODY, "organisation_id": county.pk, "consent": False}
    )
    assert r.status_code == 422 and r.json()["field"] == "consent"
    r = _post(Client(), "/api/v1/public/suggestions", {**BODY, "organisation_id": 999999})
    assert r.status_code == 404


def test_rate_limit_429(county):
    county.settings = {**county.settings, "public.rate_per_hour": 3}
    county.save()
    c = Client(REMOTE_ADDR="10.4.0.1")
    for _ in range(3):
        assert (
            _post(c, "/api/v1/public/suggestions", {**BODY, "organisation_id": county.pk}).status_code == 201
        )
    r = _post(c, "/api/v1/public/suggestions", {**BODY, "organisation_id": county.pk})
    assert r.status_code == 429 and "每小时" in r.json()["detail"]
    other = Client(REMOTE_ADDR="10.4.0.2")
    assert (
        _post(other, "/api/v1/public/suggestions", {**BODY, "organisation_id": county.pk}).status_code == 201
    )


def test_staff_list_and_scoping(submitted, api_for):
    s = submitted()
    r = api_for("office").get("/api/v1/suggestions?status=received")
    assert r.status_code == 200 and any(x["id"] == s.pk for x in r.json()["items"])
    assert api_for("office").get("/api/v1/suggestions?status=bogus").status_code == 422
    assert api_for("other").get(f"/api/v1/suggestions/{s.pk}").status_code == 404
    assert api_for("other").get("/api/v1/suggestions").json()["count"] == 0
    r = _post(api_for("other"), f"/api/v1/suggestions/{s.pk}/moderate", {"decision": "accept"})
    assert r.status_code == 404
    r = _post(api_for("info"), f"/api/v1/suggestions/{s.pk}/moderate", {"decision": "accept"})
    assert r.status_code == 403
    assert Client().get("/api/v1/suggestions").status_code == 401


def test_reject_reason_and_route_to_studio(submitted, api_for, county, user):
    from zhengxie.studios.models import Studio

    studio = Studio.objects.create(organisation=county, name="API工作室")
    studio.members.add(user("member2").member)
    s = submitted()
    r = _post(api_for("office"), f"/api/v1/suggestions/{s.pk}/route", {"studio_id": studio.pk})
    assert r.status_code == 200 and r.json()["routed_to"] == "studio"
    r = _post(api_for("member2"), f"/api/v1/suggestions/{s.pk}/reply", {"content": "工作室已答复"})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    s2 = submitted()
    r = _post(
        api_for("office"),
        f"/api/v1/suggestions/{s2.pk}/moderate",
        {"decision": "reject", "reason": "广告", "category": "spam"},
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reject_reason"] == "广告"


def test_list_query_count_is_constant(submitted, api_for):
    c = api_for("office")
    submitted()
    c.get("/api/v1/suggestions")
    with CaptureQueriesContext(connection) as few:
        c.get("/api/v1/suggestions")
    for i in range(25):
        submitted(ip=f"10.5.0.{i}")
    with CaptureQueriesContext(connection) as many:
        c.get("/api/v1/suggestions")
    assert len(many) == len(few)


def test_a_citizen_sees_only_their_own(submitted):
    mine, theirs = (
        submitted(title="我的建议"),
        submitted(title="别人的建议", name="赵六", phone="13600001111"),
    )
    r = Client().get(f"/api/v1/public/suggestions/{mine.tracking_code}")
    assert r.json()["title"] == "我的建议"
    assert set(r.json()) == {"status", "title", "created_at", "reply", "merged_into"}
    assert "别人的建议" not in r.content.decode() and "赵六" not in r.content.decode()
    listed = (
        Client().get(f"/api/v1/public/suggestions?organisation_id={mine.organisation_id}").content.decode()
    )
    assert "我的建议" not in listed and "别人的建议" not in listed  # nothing unpublished
    assert theirs.tracking_code != mine.tracking_code


def test_guessing_codes_is_limited():
    c = Client(REMOTE_ADDR="10.6.0.1")
    for _ in range(60):
        assert c.get("/api/v1/public/suggestions/ABCDEFGHJK").status_code == 404
    r = c.get("/api/v1/public/suggestions/ABCDEFGHJK")
    assert r.status_code == 429 and "频繁" in r.json()["detail"]
    assert Client(REMOTE_ADDR="10.6.0.2").post("/p/track/", {"code": "ABCDEFGHJK"}).status_code == 404


def test_search_by_a_huge_number_is_harmless(api_for):
    assert api_for("office").get("/api/v1/suggestions?q=" + "9" * 30).status_code == 200


def test_the_contract_paths_are_in_the_openapi_document():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for p in [
        "/api/v1/public/suggestions",
        "/api/v1/public/suggestions/{tracking_code}",
        "/api/v1/public/suggestions/{tracking_code}/rate",
        "/api/v1/suggestions",
        "/api/v1/suggestions/{pk}",
        "/api/v1/suggestions/{pk}/moderate",
        "/api/v1/suggestions/{pk}/route",
        "/api/v1/suggestions/{pk}/reply",
        "/api/v1/suggestions/{pk}/publish",
    ]:
        assert p in paths, p
    assert not paths["/api/v1/public/suggestions"]["post"].get("security")  # no token needed
