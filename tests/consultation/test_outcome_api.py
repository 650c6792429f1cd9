"""The 协商成果 API of issue 11: shapes, status codes (404 invisible, 403 forbidden, 409 illegal or twice,
422 bad input with a Chinese `detail`), and the journey write → send → vote."""

import pytest

from zhengxie.consultation.models import Consultation, Recommendation
from zhengxie.consultation.services import outcomes as services
from zhengxie.members.models import Member

pytestmark = pytest.mark.django_db

OUTCOME_KEYS = {
    "id",
    "consultation_id",
    "title",
    "summary",
    "status",
    "recommendations",
    "vote_open",
    "vote_result",
    "vote_valid",
}
REC_KEYS = {"id", "number", "content", "unit_id", "deadline", "status", "adoption", "case_id"}


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_write_send_route_adopt_instruct(held, api_for, education, housing, user):
    c = held()
    office = api_for("office")
    body = {
        "summary": "委员们围绕课后服务提出建议。",
        "recommendations": [
            {"content": "建议一：经费纳入预算。", "unit_id": education.pk},
            {"content": "建议二：建立志愿者库。"},
        ],
    }
    r = _post(office, f"/api/v1/consultations/{c.pk}/outcome", body)
    assert r.status_code == 201, r.content
    o = r.json()
    assert OUTCOME_KEYS <= set(o) and o["status"] == "draft" and o["consultation_id"] == c.pk
    assert (
        o["title"] == "关于城区中小学课后服务的协商成果"
        and o["vote_open"] is False
        and o["vote_valid"] is None
    )
    assert [REC_KEYS <= set(x) for x in o["recommendations"]] == [True, True]
    assert [x["number"] for x in o["recommendations"]] == [1, 2]
    assert o["recommendations"][0]["unit_id"] == education.pk and o["recommendations"][0]["case_id"] is None
    r = office.get(f"/api/v1/consultations/{c.pk}/outcome")
    assert r.status_code == 200 and r.json()["id"] == o["id"]
    r = _post(office, f"/api/v1/consultation-outcomes/{o['id']}/send")
    assert r.status_code == 200 and r.json()["status"] == "sent"
    assert Consultation.objects.get(pk=c.pk).status == "outcome_sent"
    rec1, rec2 = r.json()["recommendations"]
    assert rec1["status"] == "routed" and rec1["case_id"] and rec2["status"] == "pending"
    r = _post(office, f"/api/v1/consultation-outcomes/{o['id']}/send")
    assert r.status_code == 409 and r.json()["detail"]
    r = _post(office, f"/api/v1/consultation-recommendations/{rec2['id']}/route", {"unit_id": housing.pk})
    assert r.status_code == 200 and r.json()["status"] == "routed" and r.json()["unit_id"] == housing.pk
    r = _post(office, f"/api/v1/consultation-recommendations/{rec2['id']}/route", {"unit_id": housing.pk})
    assert r.status_code == 409
    r = _post(
        office,
        f"/api/v1/consultation-recommendations/{rec1['id']}/adoption",
        {"adoption": "adopted", "note": "已列入预算"},
    )
    assert r.status_code == 200 and r.json()["adoption"] == "adopted"
    r = _post(office, f"/api/v1/consultation-recommendations/{rec1['id']}/adoption", {"adoption": "sure"})
    assert r.status_code == 422
    r = _post(
        office,
        f"/api/v1/consultation-outcomes/{o['id']}/instructions",
        {"leader": "县长 李明", "level": "county", "content": "请教育局抓好落实。", "given_on": "2026-01-05"},
    )
    assert r.status_code == 201 and r.json()["leader"] == "县长 李明"
    r = office.get(f"/api/v1/consultation-outcomes/{o['id']}")
    assert r.status_code == 200 and r.json()["instructions"][0]["content"] == "请教育局抓好落实。"


def test_errors_and_scope(held, written, api_for, user):
    c = held()
    office = api_for("office")
    r = _post(office, f"/api/v1/consultations/{c.pk}/outcome", {"summary": "", "recommendations": []})
    assert r.status_code == 422 and "综述" in r.json()["detail"]
    r = _post(
        office,
        f"/api/v1/consultations/{c.pk}/outcome",
        {"summary": "综述", "recommendations": [{"content": ""}]},
    )
    assert r.status_code == 422 and "建议" in r.json()["detail"]
    r = _post(
        api_for("member1"), f"/api/v1/consultations/{c.pk}/outcome", {"summary": "x", "recommendations": []}
    )
    assert r.status_code in (403, 422)
    r = _post(
        api_for("member1"),
        f"/api/v1/consultations/{c.pk}/outcome",
        {"summary": "x", "recommendations": [{"content": "y"}]},
    )
    assert r.status_code == 403 and r.json()["detail"]
    planned = held(status=Consultation.Status.PLANNED)
    r = _post(
        office,
        f"/api/v1/consultations/{planned.pk}/outcome",
        {"summary": "x", "recommendations": [{"content": "y"}]},
    )
    assert r.status_code == 409
    o = written(consultation=c)
    other = api_for("other")
    assert other.get(f"/api/v1/consultation-outcomes/{o.pk}").status_code == 404
    assert _post(other, f"/api/v1/consultation-outcomes/{o.pk}/send").status_code == 404
    rec = Recommendation.objects.filter(outcome=o).first()
    r = _post(other, f"/api/v1/consultation-recommendations/{rec.pk}/adoption", {"adoption": "adopted"})
    assert r.status_code == 404
    assert office.get("/api/v1/consultation-outcomes/99999999").status_code == 404
    # Before it is sent: no vote, no 批示, no adoption.
    assert _post(office, f"/api/v1/consultation-outcomes/{o.pk}/vote-open").status_code == 409
    r = _post(office, f"/api/v1/consultation-recommendations/{rec.pk}/adoption", {"adoption": "adopted"})
    assert r.status_code == 409


def test_votes_through_the_api(sent, api_for, user, county):
    o = sent()
    standing = list(services.standing_members(county).select_related("user").order_by("pk"))
    first = standing[0].user.username
    r = _post(api_for(first), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "good"})
    assert r.status_code == 409 and r.json()["detail"]  # not open yet
    r = _post(api_for(first), f"/api/v1/consultation-outcomes/{o.pk}/vote-open")
    assert r.status_code == 403
    r = _post(api_for("office"), f"/api/v1/consultation-outcomes/{o.pk}/vote-open")
    assert r.status_code == 200 and r.json()["vote_open"] is True
    r = _post(api_for(first), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "good"})
    assert r.status_code == 201 and r.json()["rating"] == "good" and r.json()["outcome_id"] == o.pk
    r = _post(api_for(first), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "fair"})
    assert r.status_code == 409 and "已参加过" in r.json()["detail"]
    plain = Member.objects.filter(organisation=county, is_standing=False, status="active").select_related(
        "user"
    )[0]
    r = _post(api_for(plain.user.username), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "good"})
    assert r.status_code == 403 and "常委" in r.json()["detail"]
    r = _post(api_for("other"), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "good"})
    assert r.status_code == 404
    r = _post(api_for(first), f"/api/v1/consultation-outcomes/{o.pk}/votes", {"rating": "great"})
    assert r.status_code == 422
    r = api_for(first).get(f"/api/v1/consultation-outcomes/{o.pk}")
    assert r.json()["my_vote"] == "good" and r.json()["votes"]["votes"] == 1
    r = _post(api_for("office"), f"/api/v1/consultation-outcomes/{o.pk}/vote-close")
    assert r.status_code == 200
    body = r.json()
    assert body["vote_open"] is False and body["vote_valid"] is False and body["vote_result"] == "good"
    assert _post(api_for("office"), f"/api/v1/consultation-outcomes/{o.pk}/vote-close").status_code == 409
