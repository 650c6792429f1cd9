"""/api/v1/consultation-topics as the issue's contract says: POST → 201 with the fields, GET filters year and
status (and source); members POST source=member only, staff party_gov/research/member, source=public is 422
for everyone (citizens use the public page); decide once (409 after); 404 across counties; open calls."""

import datetime

import pytest
from django.utils import timezone

from zhengxie.consultation.models import Topic

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
J = "application/json"


def post(client, url, data):
    return client.post(url, data, content_type=J)


def test_post_contract_shape(api_for):
    r = post(
        api_for("member1"),
        "/api/v1/consultation-topics",
        {"title": "关于推进社区嵌入式托育的建议", "reason": "双职工家庭托育需求大。", "source": "member"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    for key in (
        "id",
        "title",
        "reason",
        "source",
        "year",
        "status",
        "member",
        "group_label",
        "rank",
        "actions",
    ):
        assert key in body
    assert body["source"] == "member" and body["status"] == "candidate" and body["year"] == YEAR
    assert body["member"]["name"] and body["actions"] == [] and body["source_label"] == "委员荐题"
    t = Topic.objects.get(pk=body["id"])
    assert t.member.user.username == "member1"


def test_sources_by_role(api_for):
    m, o = api_for("member1"), api_for("office")
    r = post(m, "/api/v1/consultation-topics", {"title": "党政点题", "reason": "理由", "source": "party_gov"})
    assert r.status_code == 403 and r.json()["detail"]
    for client in (m, o):
        r = post(
            client, "/api/v1/consultation-topics", {"title": "冒充群众", "reason": "理由", "source": "public"}
        )
        assert r.status_code == 422 and r.json()["code"] == "public_only" and "公开页面" in r.json()["detail"]
    r = post(m, "/api/v1/consultation-topics", {"title": "", "reason": "理由", "source": "member"})
    assert r.status_code == 422 and "议题名称" in r.json()["detail"]
    r = post(m, "/api/v1/consultation-topics", {"title": "x", "reason": "理由", "source": "other"})
    assert r.status_code == 422
    for source in ("party_gov", "research"):
        r = post(
            o, "/api/v1/consultation-topics", {"title": f"{source}议题", "reason": "说明", "source": source}
        )
        assert r.status_code == 201 and r.json()["member"] is None
        assert set(r.json()["actions"]) == {"arrange", "decide"}
    assert (
        post(
            api_for("handler1"),
            "/api/v1/consultation-topics",
            {"title": "x", "reason": "y", "source": "member"},
        ).status_code
        == 403
    )
    assert not Topic.objects.filter(title__in=["党政点题", "冒充群众"]).exists()


def test_get_filters_year_and_status(api_for):
    o = api_for("office")
    r = o.get(f"/api/v1/consultation-topics?year={YEAR}")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] >= 12 and all(item["year"] == YEAR for item in body["items"])
    sources = {item["source"] for item in body["items"]}
    assert sources == {"party_gov", "member", "research", "public"}
    r = o.get(f"/api/v1/consultation-topics?year={YEAR}&status=chosen")
    items = r.json()["items"]
    assert items and all(item["status"] == "chosen" for item in items)
    assert o.get(f"/api/v1/consultation-topics?year={YEAR - 5}").json()["count"] == 0
    r = o.get(f"/api/v1/consultation-topics?year={YEAR}&source=public")
    assert r.json()["count"] >= 1 and all(i["source"] == "public" for i in r.json()["items"])
    assert o.get("/api/v1/consultation-topics?status=maybe").status_code == 422
    assert o.get("/api/v1/consultation-topics?year=99999").status_code == 422
    # member1 sees only their own; 石门区 none of 青川县's.
    mine = api_for("member1").get(f"/api/v1/consultation-topics?year={YEAR}").json()["items"]
    assert mine and all(i["member"] and i["source"] == "member" for i in mine)
    assert api_for("other").get(f"/api/v1/consultation-topics?year={YEAR}").json()["count"] == 0


def test_detail_arrange_decide(api_for):
    t = post(
        api_for("member1"),
        "/api/v1/consultation-topics",
        {"title": "议题甲", "reason": "理由", "source": "member"},
    ).json()
    o = api_for("office")
    r = post(o, f"/api/v1/consultation-topics/{t['id']}/arrange", {"group_label": "社会民生", "rank": 4})
    assert r.status_code == 200 and (r.json()["group_label"], r.json()["rank"]) == ("社会民生", 4)
    r = post(o, f"/api/v1/consultation-topics/{t['id']}/arrange", {"rank": 0})
    assert r.status_code == 422
    r = post(o, f"/api/v1/consultation-topics/{t['id']}/decide", {"decision": "not_chosen"})
    assert r.status_code == 422 and "说明" in r.json()["detail"]
    r = post(o, f"/api/v1/consultation-topics/{t['id']}/decide", {"decision": "chosen", "note": "选定"})
    assert r.status_code == 200 and r.json()["status"] == "chosen" and r.json()["decided_at"]
    assert "plan" in r.json()["actions"]
    r = post(o, f"/api/v1/consultation-topics/{t['id']}/decide", {"decision": "not_chosen", "note": "改主意"})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = api_for("member1").get(f"/api/v1/consultation-topics/{t['id']}")
    assert r.status_code == 200 and r.json()["status"] == "chosen" and r.json()["decision_note"] == "选定"
    assert api_for("member2").get(f"/api/v1/consultation-topics/{t['id']}").status_code == 404
    assert api_for("other").get(f"/api/v1/consultation-topics/{t['id']}").status_code == 404
    assert api_for("office").get("/api/v1/consultation-topics/999999").status_code == 404


def test_calls_api(api_for):
    today = timezone.localdate()
    o = api_for("office")
    r = post(
        o,
        "/api/v1/consultation-topic-calls",
        {
            "title": "专项征集",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 201 and r.json()["open"] is True and "/topics/" in r.json()["public_url"]
    call_id = r.json()["id"]
    assert any(c["id"] == call_id for c in o.get("/api/v1/consultation-topic-calls").json())
    assert (
        post(api_for("member1"), f"/api/v1/consultation-topic-calls/{call_id}/close", {}).status_code == 404
    )
    assert post(api_for("other"), f"/api/v1/consultation-topic-calls/{call_id}/close", {}).status_code == 404
    r = post(o, f"/api/v1/consultation-topic-calls/{call_id}/close", {})
    assert r.status_code == 200 and r.json()["open"] is False
    assert post(o, f"/api/v1/consultation-topic-calls/{call_id}/close", {}).status_code == 409
