"""The proposals API contract: every path, field and status code (/api/v1/proposals...)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.proposals.models import Assignment, Proposal

from .conftest import TEXT, fake_pdf_upload, pdf_upload

API = "/api/v1/proposals"
J = "application/json"
STATUSES = {
    "draft",
    "awaiting_cosigners",
    "submitted",
    "accepted",
    "rejected",
    "converted",
    "merged",
    "assigned",
    "handling",
    "replied",
    "rehandling",
    "closed",
}


def post(c, path, data=None):
    return c.post(f"{API}{path}", data or {}, content_type=J)


@pytest.fixture
def api(api_for):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = api_for(name)
        return cache[name]

    return get


def _create(api, name="member1", **extra):
    r = post(api(name), "", {**TEXT, **extra})
    assert r.status_code == 201, r.content.decode()
    return r.json()


def test_create_returns_201_with_the_full_shape(api, user):
    body = _create(api, kind="joint", cosigner_ids=[user("member2").member.pk])
    assert body["status"] == "draft" and body["kind"] == "joint" and body["number"] is None
    assert body["light"] is None and body["deadline"] is None
    assert {
        "id",
        "title",
        "reasons",
        "suggestions",
        "category",
        "kind",
        "status",
        "number",
        "light",
        "deadline",
        "session",
        "assignments",
        "replies",
        "evaluations",
        "timeline",
        "signers",
    } <= set(body)
    assert body["session"]["name"] and body["session"]["year"]
    assert [s["role"] for s in body["signers"]] == ["lead", "cosigner"]
    assert body["timeline"][0]["label"] == "起草提案" and body["timeline"][0]["actor"] == "张明华"
    assert set(body["timeline"][0]) >= {"at", "actor", "action", "label"}
    assert set(body["allowed_actions"]) == {"edit", "submit", "delete"}


@pytest.mark.parametrize(
    "data,fragment",
    [
        ({"title": ""}, "案由"),
        ({"title": "长" * 201}, "200 字"),
        ({"category": "无"}, "类别"),
        ({"kind": "team"}, "输入有误"),
        ({"reasons": "字" * 3000}, "上限"),
    ],
)
def test_create_bad_input_is_422_in_chinese(api, data, fragment):
    before = Proposal.objects.count()
    r = post(api("member1"), "", {**TEXT, **data})
    assert r.status_code == 422
    assert fragment in r.json()["detail"]
    assert Proposal.objects.count() == before


def test_create_missing_field_and_foreign_cosigner(api, user):
    r = post(api("member1"), "", {"title": "关于某事的建议"})
    assert r.status_code == 422 and r.json()["detail"].startswith("输入有误")
    r = post(api("member1"), "", {**TEXT, "kind": "joint", "cosigner_ids": [user("other").member.pk]})
    assert r.status_code == 422 and "本级政协的委员" in r.json()["detail"]


def test_non_member_gets_403_and_anonymous_401(api, client):
    r = post(api("handler1"), "", TEXT)
    assert r.status_code == 403 and "委员" in r.json()["detail"]
    assert client.get(API).status_code == 401


def test_get_patch_and_visibility(api):
    p = _create(api)
    url = f"{API}/{p['id']}"
    assert api("member1").get(url).status_code == 200
    for name in ("member2", "other", "staff", "handler1"):
        r = api(name).get(url)
        assert r.status_code == 404 and r.json()["detail"] == "未找到。", name
    r = api("member1").patch(url, {"title": "关于加强乡村学校音体美教师配备的建议"}, content_type=J)
    assert r.status_code == 200 and r.json()["title"] == "关于加强乡村学校音体美教师配备的建议"
    assert r.json()["reasons"] == TEXT["reasons"]
    assert api("member2").patch(url, {"title": "x"}, content_type=J).status_code == 404
    r = api("member1").patch(url, {"title": ""}, content_type=J)
    assert r.status_code == 422
    assert post(api("member1"), f"/{p['id']}/submit").status_code == 200
    r = api("member1").patch(url, {"title": "再改"}, content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "bad_state"
    assert api("member1").get(f"{API}/999999").status_code == 404


def test_submit_flags_a_second_matter_until_confirmed(api):
    p = _create(api, title="关于加强校园安全管理和治理城区河道污染的建议")
    r = post(api("member1"), f"/{p['id']}/submit")
    assert (
        r.status_code == 422 and r.json()["code"] == "multiple_matters" and "一事一案" in r.json()["detail"]
    )
    r = post(api("member1"), f"/{p['id']}/submit", {"confirm_single_matter": True})
    assert r.status_code == 200 and r.json()["status"] == "submitted"


def test_full_lifecycle_over_the_api(api, user, units, client_for):
    m2 = user("member2").member
    p = _create(api, kind="joint", cosigner_ids=[m2.pk])
    pid = p["id"]
    r = post(api("member1"), f"/{pid}/submit")
    assert r.json()["status"] == "awaiting_cosigners"
    assert post(api("member3"), f"/{pid}/cosign", {"agree": True}).status_code == 404
    assert post(api("member2"), f"/{pid}/cosign", {}).status_code == 422
    r = post(api("member2"), f"/{pid}/cosign", {"agree": True})
    assert r.json()["status"] == "submitted"
    # review
    assert post(api("member1"), f"/{pid}/review", {"decision": "accept"}).status_code == 403
    assert post(api("staff"), f"/{pid}/review", {"decision": "approve"}).status_code == 422
    assert post(api("staff"), f"/{pid}/review", {"decision": "reject"}).status_code == 422
    r = post(api("staff"), f"/{pid}/review", {"decision": "accept", "category": "科教文卫"})
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["number"] >= 1
    number = r.json()["number"]
    r = post(api("staff"), f"/{pid}/review", {"decision": "accept"})
    assert r.status_code == 409 and "不能审查" in r.json()["detail"]
    assert Proposal.objects.get(pk=pid).number == number
    # assign
    deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    r = post(
        api("staff"),
        f"/{pid}/assign",
        {"lead_unit_id": units["教育局"].pk, "co_unit_ids": [units["人社局"].pk], "deadline": deadline},
    )
    body = r.json()
    assert r.status_code == 200 and body["status"] == "assigned" and body["deadline"] == deadline
    assert body["light"] == "green"
    lead = next(a for a in body["assignments"] if a["role"] == "lead")
    assert lead["unit_id"] == units["教育局"].pk and lead["unit_name"] == "县教育局"
    assert lead["acknowledged_at"] is None and lead["deadline"] == deadline
    assert {"id", "unit_id", "unit_name", "role", "deadline", "acknowledged_at"} <= set(lead)
    assert post(api("staff"), f"/{pid}/assign", {"lead_unit_id": units["教育局"].pk}).status_code == 409
    # handling
    assert post(api("handler2"), f"/{pid}/acknowledge").status_code == 404
    r = post(api("handler1"), f"/{pid}/acknowledge")
    assert r.json()["status"] == "handling"
    assert post(api("handler1"), f"/{pid}/acknowledge").status_code == 409
    r = post(
        api("handler1"),
        f"/{pid}/contacts",
        {"contacted_on": timezone.localdate().isoformat(), "method": "visit", "summary": "走访提案人"},
    )
    assert r.status_code == 200 and r.json()["assignments"][0]["role"] == "lead"
    assert r.json()["assignments"][0]["contacts"][0]["method"] == "visit"
    co_token = api(units["人社局"].handlers.first().username)
    assert post(co_token, f"/{pid}/co_opinion", {"opinion": "同意主办单位意见"}).status_code == 200
    # reply
    assert post(api("handler2"), f"/{pid}/reply", {"result_class": "A", "content": "越权"}).status_code == 404
    assert (
        post(co_token, f"/{pid}/reply", {"result_class": "A", "content": "会办不能答复"}).status_code == 403
    )
    assert post(api("handler1"), f"/{pid}/reply", {"result_class": "Z", "content": "x"}).status_code == 422
    r = post(api("handler1"), f"/{pid}/reply", {"result_class": "A", "content": "所提建议已采纳。"})
    body = r.json()
    assert body["status"] == "replied" and body["light"] is None
    assert body["replies"][0]["result_class"] == "A" and body["replies"][0]["letter_url"] is None
    assert {"id", "result_class", "content", "replied_at", "letter_url"} <= set(body["replies"][0])
    r = api("handler1").post(f"{API}/{pid}/reply/letter", {"file": fake_pdf_upload()})
    assert r.status_code == 422 and "不符" in r.json()["detail"]
    r = api("handler1").post(f"{API}/{pid}/reply/letter", {"file": pdf_upload()})
    letter = r.json()["replies"][0]["letter_url"]
    assert r.status_code == 200 and letter
    assert (
        client_for("member1").get(letter).status_code == 200
    )  # a page URL (session), checked like the proposal
    # Accepted proposals, replies included, are open to the committee's members; never to another county.
    assert client_for("member3").get(letter).status_code == 200
    assert client_for("other").get(letter).status_code == 404
    # evaluate
    assert post(api("handler1"), f"/{pid}/evaluate", {"rating": "satisfied"}).status_code == 403
    # member3 may read the accepted proposal but is not one of its proposers.
    assert post(api("member3"), f"/{pid}/evaluate", {"rating": "satisfied"}).status_code == 403
    assert post(api("other"), f"/{pid}/evaluate", {"rating": "satisfied"}).status_code == 404
    assert post(api("member1"), f"/{pid}/evaluate", {"rating": "great"}).status_code == 422
    r = post(api("member1"), f"/{pid}/evaluate", {"rating": "satisfied", "comment": "很满意"})
    assert r.json()["evaluations"] == [
        {
            **r.json()["evaluations"][0],
            "member_id": user("member1").member.pk,
            "rating": "satisfied",
            "comment": "很满意",
        }
    ]
    assert post(api("member1"), f"/{pid}/evaluate", {"rating": "satisfied"}).status_code == 409
    assert post(api("staff"), f"/{pid}/close").status_code == 409  # member2 has not rated yet
    r = post(api("staff"), f"/{pid}/evaluate", {"rating": "basically_satisfied", "member_id": m2.pk})
    assert r.status_code == 200 and len(r.json()["evaluations"]) == 2
    r = post(api("staff"), f"/{pid}/close", {"reason": "会办单位已书面说明无意见。"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert post(api("staff"), f"/{pid}/remind").status_code == 409
    actions = [e["action"] for e in r.json()["timeline"]]
    assert actions[:4] == ["create", "submit", "cosign", "accept"]
    assert {"accept", "assign", "acknowledge", "contact", "reply", "evaluate", "close"} <= set(actions)


def test_unsatisfied_rating_goes_back_to_rehandling(api, proposal_in):
    p = proposal_in("replied")
    r = post(api("member1"), f"/{p.pk}/evaluate", {"rating": "unsatisfied", "comment": "措施不具体"})
    assert r.status_code == 200 and r.json()["status"] == "rehandling" and r.json()["rehandle_round"] == 2
    assert r.json()["light"] in ("green", "yellow")


def test_change_request_and_decision(api, units, proposal_in):
    p = proposal_in("handling")
    r = post(api("handler1"), f"/{p.pk}/request_change", {"reason": "不属于我局职责"})
    a = r.json()["assignments"][0]
    assert r.status_code == 200 and a["change_status"] == "pending"
    assert post(api("handler1"), f"/{p.pk}/request_change", {"reason": ""}).status_code in (409, 422)
    r = post(
        api("staff"),
        f"/{p.pk}/decide_change",
        {"assignment_id": a["id"], "grant": True, "new_unit_id": units["住建局"].pk},
    )
    body = r.json()
    assert r.status_code == 200 and body["status"] == "assigned"
    active = [x for x in body["assignments"] if x["is_active"]]
    assert [x["unit_name"] for x in active] == ["县住房和城乡建设局"]
    assert (
        post(api("staff"), f"/{p.pk}/decide_change", {"assignment_id": 999999, "grant": True}).status_code
        == 404
    )


def test_extras_extend_key_excellent_remind_drop(api, user, proposal_in):
    p = proposal_in("handling")
    new = (p.deadline + datetime.timedelta(days=30)).isoformat()
    r = post(api("staff"), f"/{p.pk}/extend", {"new_deadline": new, "reason": "涉及多部门"})
    assert r.status_code == 200 and r.json()["deadline"] == new
    too_far = (p.deadline + datetime.timedelta(days=400)).isoformat()
    assert post(api("staff"), f"/{p.pk}/extend", {"new_deadline": too_far, "reason": "x"}).status_code == 422
    r = post(api("staff"), f"/{p.pk}/mark_key", {"is_key": True, "leader_id": user("leader").pk})
    assert r.json()["is_key"] and r.json()["key_leader"] == "陈志远"
    assert post(api("member1"), f"/{p.pk}/mark_key", {"is_key": False}).status_code == 403
    assert post(api("staff"), f"/{p.pk}/mark_excellent", {"value": True}).json()["is_excellent"]
    r = post(api("staff"), f"/{p.pk}/remind")
    assert r.status_code == 200 and r.json()["timeline"][-1]["action"] == "remind"
    j = _create(api, kind="joint", cosigner_ids=[user("member2").member.pk])
    post(api("member1"), f"/{j['id']}/submit")
    r = post(api("member1"), f"/{j['id']}/drop_decliners")
    assert r.json()["status"] == "submitted" and r.json()["kind"] == "individual"


def test_batch_assign(api, units, proposal_in):
    a, b = proposal_in("accepted"), proposal_in("accepted", author="member2")
    r = post(
        api("staff"), "/assign_batch", {"proposal_ids": [a.pk, b.pk], "lead_unit_id": units["住建局"].pk}
    )
    assert r.status_code == 200 and {x["status"] for x in r.json()} == {"assigned"}
    assert len(set(Assignment.objects.filter(case__proposal__in=[a, b]).values_list("batch", flat=True))) == 1


def test_similar(api, proposal_in):
    p = proposal_in(
        "submitted",
        title="关于推动茶产业品牌建设的建议",
        category="农业农村",
        reasons="我县茶叶品牌知名度不高。",
        suggestions="一是打造茶叶区域公用品牌；二是扶持茶企精深加工。",
    )
    r = api("staff").get(f"{API}/{p.pk}/similar")
    assert r.status_code == 200
    items = r.json()
    assert items and {"id", "title", "score"} <= set(items[0]) and p.pk not in [i["id"] for i in items]
    assert api("other").get(f"{API}/{p.pk}/similar").status_code == 404


TEA = {
    "category": "农业农村",
    "reasons": "我县茶叶品牌知名度不高，茶企规模小，精深加工不足。",
    "suggestions": "一是打造茶叶区域公用品牌；二是扶持茶企精深加工；三是拓展线上销售渠道。",
}


def test_similar_runs_a_fixed_number_of_queries(api, proposal_in):
    """#16: the similar call (a proposal's whole text: candidates from titles and bodies, their texts, the
    found proposals' visibility in one read) runs the same statements for five more hits, whoever
    wrote them and whatever their state — no read per proposal found, no read that grows with them."""
    p = proposal_in("submitted", title="关于推动茶产业品牌建设的建议", **TEA)
    proposal_in("submitted", author="member2", title="关于加快茶产业品牌建设的建议", **TEA)
    c = api("staff")
    url = f"{API}/{p.pk}/similar"
    c.get(url)  # warm (token, user, roles)
    with CaptureQueriesContext(connection) as one:
        r = c.get(url)
    before = len(r.json())
    assert before >= 1  # (the demo county has tea proposals of its own)
    for i, state in enumerate(("submitted", "handling", "handling", "accepted", "submitted")):
        author = ("member1", "member2", "member3")[i % 3]
        proposal_in(state, author=author, title=f"关于茶产业品牌建设的建议（{i + 1}）", **TEA)
    with CaptureQueriesContext(connection) as six:
        r = c.get(url)
    assert len(r.json()) == before + 5 and p.pk not in {x["id"] for x in r.json()}
    assert len(six) == len(one) == 7, [q["sql"][:60] for q in six.captured_queries]


def test_list_shape_filters_and_pages(api, units, proposal_in):
    p = proposal_in("handling", lead="住建局")
    r = api("staff").get(API)
    body = r.json()
    assert set(body) == {"items", "count"} and body["count"] > 20 and len(body["items"]) == 20
    assert {i["status"] for i in body["items"]} <= STATUSES
    row = body["items"][0]
    assert {
        "id",
        "title",
        "category",
        "kind",
        "status",
        "number",
        "light",
        "deadline",
        "session",
        "lead_unit",
    } <= set(row)
    r = api("staff").get(API, {"status": "handling", "unit": units["住建局"].pk, "light": "green"})
    ids = [i["id"] for i in r.json()["items"]]
    assert p.pk in ids and all(i["status"] == "handling" and i["light"] == "green" for i in r.json()["items"])
    assert r.json()["items"][0]["lead_unit"]["name"] == "县住房和城乡建设局"
    page2 = api("staff").get(API, {"page": 2}).json()
    assert page2["count"] == body["count"] and page2["items"][0]["id"] not in [i["id"] for i in body["items"]]
    assert api("staff").get(API, {"page": 0}).status_code == 422
    assert p.pk in [i["id"] for i in api("staff").get(API, {"q": p.title[2:8]}).json()["items"]]
    mine = api("member1").get(API).json()
    assert mine["count"] < body["count"]
    theirs = api("other").get(API).json()["items"]  # a member of 石门区: its own proposals, none of ours
    assert {i["id"] for i in theirs} <= set(
        Proposal.objects.filter(organisation__code="demo-county-2").values_list("pk", flat=True)
    )
    both = (
        Proposal.objects.filter(case__assignments__unit=units["教育局"], case__assignments__is_active=True)
        .filter(case__assignments__unit=units["住建局"], case__assignments__is_active=True)
        .distinct()
        .count()
    )
    assert api("handler2").get(API, {"unit": units["教育局"].pk}).json()["count"] == both


def test_list_runs_a_constant_number_of_queries(api, proposal_in):
    c = api("staff")
    # Both reads after a write in this test's transaction, so both count afresh (core.datacache keeps a
    # count only between committed writes): the same path, more rows.
    proposal_in("handling")
    with CaptureQueriesContext(connection) as first:
        assert c.get(API, {"page_size": 50}).status_code == 200
    for i in range(5):
        proposal_in("handling", cosigners=["member2"] if i % 2 else (), co=["人社局"])
    with CaptureQueriesContext(connection) as second:
        assert c.get(API, {"page_size": 50}).status_code == 200
    assert len(second) == len(first)
    assert len(first) <= 12


def test_detail_runs_a_bounded_number_of_queries(api, proposal_in, django_assert_max_num_queries):
    p = proposal_in("closed", cosigners=["member2", "member3"], co=["人社局"])
    c = api("staff")
    c.get(f"{API}/{p.pk}")
    with django_assert_max_num_queries(25):
        assert c.get(f"{API}/{p.pk}").status_code == 200


def test_submit_body_is_optional(api):
    a = _create(api)
    r = api("member1").post(f"{API}/{a['id']}/submit")  # no body at all
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    b = _create(api, title="关于加强校园安全管理和治理城区河道污染的建议")
    r = api("member1").post(f"{API}/{b['id']}/submit", "{oops", content_type=J)
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    r = api("member1").post(f"{API}/{b['id']}/submit?confirm_single_matter=true")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
