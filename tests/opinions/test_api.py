"""The 社情民意 API contract (issue 9): every path, field, status string and error code under /api/v1."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.core.models import Office, Organisation, Role, User
from zhengxie.opinions import services
from zhengxie.opinions.models import Adoption, Opinion, OpinionEvent, OpinionIssue

from .conftest import TEXT

pytestmark = pytest.mark.django_db

API = "/api/v1"
J = "application/json"
CJK = re.compile(r"[\u4e00-\u9fff]")
OPINION_KEYS = {
    "id",
    "title",
    "content",
    "category",
    "status",
    "status_label",
    "number",
    "issue",
    "authors",
    "edited_title",
    "edited_content",
    "review_note",
    "organisation",
    "year",
    "submitted_at",
    "adoptions",
    "instructions",
    "followups",
    "forwarded_to",
    "forwarded_from",
    "timeline",
    "allowed_actions",
}
ROW_KEYS = {
    "id",
    "title",
    "status",
    "status_label",
    "category",
    "year",
    "authors",
    "number",
    "submitted_at",
    "organisation",
}


@pytest.fixture
def api(api_for):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = api_for(name)
        return cache[name]

    return get


def post(c, path, data=None):
    return c.post(f"{API}{path}", data or {}, content_type=J)


def patch(c, path, data):
    return c.patch(f"{API}{path}", data, content_type=J)


def ok(r, status=200):
    assert r.status_code == status, r.content.decode()
    return r.json()


def refused(r, status, field=None):
    """A refusal: the status, a Chinese detail, and (for a service's 422) the field."""
    assert r.status_code == status, r.content.decode()
    body = r.json()
    assert CJK.search(body["detail"]), body
    if field is not None:
        assert body.get("field") == field, body
    return body


def _create(api, name="member1", **extra):
    return ok(post(api(name), "/opinions", {**TEXT, **extra}), 201)


@pytest.fixture
def county_info2(db):
    """信息科 staff of another county (石门区)."""
    org = Organisation.objects.get(code="demo-county-2")
    u = User.objects.create(username="info2", name="石门信息科", organisation=org, office=Office.INFORMATION)
    u.set_roles([Role.STAFF])
    return u


# --- writing ------------------------------------------------------------------------------------------


def test_create_returns_201_draft_with_the_full_shape(api, user):
    m2 = user("member2").member
    body = _create(api, co_author_ids=[m2.pk])
    assert OPINION_KEYS <= set(body)
    assert body["status"] == "draft" and body["status_label"] == "暂存"
    assert body["title"] == TEXT["title"] and body["content"] == TEXT["content"]
    assert body["category"] == "医疗卫生"
    assert body["number"] is None and body["issue"] is None and body["submitted_at"] is None
    assert [a["member_id"] for a in body["authors"]] == [user("member1").member.pk, m2.pk]
    assert body["authors"][0]["name"] == user("member1").member.name
    assert body["organisation"]["name"] == "青川县政协"
    assert body["year"] == timezone.localdate().year
    assert body["edited_title"] == body["edited_content"] == body["review_note"] == ""
    assert body["adoptions"] == body["instructions"] == body["followups"] == body["forwarded_to"] == []
    assert body["forwarded_from"] is None
    assert [e["action"] for e in body["timeline"]] == ["create"]
    assert set(body["timeline"][0]) >= {"at", "action", "label", "detail", "actor"}
    assert body["allowed_actions"] == ["submit", "update"]


def test_staff_write_on_behalf_of_members_or_a_body(api, user):
    m2 = user("member2").member
    body = _create(api, "info", author_ids=[m2.pk], source="party", source_body="民盟县委会")
    assert [a["member_id"] for a in body["authors"]] == [m2.pk] and body["source_body"] == "民盟县委会"
    body = _create(api, "info", author_ids=[], source_body="经济界")
    assert body["authors"] == [] and body["source"] == "staff"
    refused(post(api("info"), "/opinions", {**TEXT, "author_ids": []}), 422, "author_ids")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "content": "正文"}, "title"),
        ({"title": "   ", "content": "正文"}, "title"),
        ({"title": "标题" * 101, "content": "正文"}, "title"),
        ({"title": "标题", "content": ""}, "content"),
        ({"title": "标题", "content": "字" * 1501}, "content"),
        ({"title": "标题", "content": "正文", "category": "不存在的类别"}, "category"),
        ({"title": "标题", "content": "正文", "co_author_ids": [999999]}, "co_author_ids"),
    ],
)
def test_bad_input_is_422_in_chinese_and_nothing_is_written(api, data, field):
    before = (Opinion.objects.count(), OpinionEvent.objects.count())
    refused(post(api("member1"), "/opinions", data), 422, field)
    assert (Opinion.objects.count(), OpinionEvent.objects.count()) == before


def test_oversized_text_names_the_limit_and_missing_fields_are_422(api):
    body = refused(post(api("member1"), "/opinions", {"title": "标题", "content": "字" * 1501}), 422)
    assert "1500" in body["detail"]
    refused(post(api("member1"), "/opinions", {"content": "正文"}), 422)  # no title at all
    refused(
        post(api("member1"), "/opinions", {"title": "标题", "content": "正文", "co_author_ids": "x"}), 422
    )
    assert not Opinion.objects.filter(title="标题").exists()


def test_who_may_write(api):
    refused(post(api("handler1"), "/opinions", TEXT), 403)


def test_writer_patches_a_draft_but_not_after_submission(api, user):
    a = _create(api)
    m3 = user("member3").member
    body = ok(patch(api("member1"), f"/opinions/{a['id']}", {"title": "新标题", "co_author_ids": [m3.pk]}))
    assert body["title"] == "新标题" and [x["member_id"] for x in body["authors"]][1:] == [m3.pk]
    refused(patch(api("member1"), f"/opinions/{a['id']}", {"content": ""}), 422, "content")
    assert Opinion.objects.get(pk=a["id"]).content == TEXT["content"]  # nothing half-written
    # The 信息科's fields are not the writer's.
    refused(patch(api("member1"), f"/opinions/{a['id']}", {"edited_title": "关于……的建议"}), 403)
    ok(post(api("member1"), f"/opinions/{a['id']}/submit"))
    body = refused(patch(api("member1"), f"/opinions/{a['id']}", {"title": "再改"}), 409)
    assert body["code"] == "bad_state"
    assert Opinion.objects.get(pk=a["id"]).title == "新标题"


def test_submit_and_submitting_twice_is_409(api):
    a = _create(api)
    body = ok(post(api("member1"), f"/opinions/{a['id']}/submit"))
    assert body["status"] == "submitted" and body["submitted_at"] and body["allowed_actions"] == []
    body = refused(post(api("member1"), f"/opinions/{a['id']}/submit"), 409)
    assert body["code"] == "bad_state"
    # Someone else's item: not even visible while a draft.
    b = _create(api)
    refused(post(api("member2"), f"/opinions/{b['id']}/submit"), 404)


# --- visibility ---------------------------------------------------------------------------------------


def test_drafts_are_the_writers_only(api):
    a = _create(api)
    for name in ("member2", "other", "info", "staff", "leader"):
        refused(api(name).get(f"{API}/opinions/{a['id']}"), 404)
        assert a["id"] not in [x["id"] for x in ok(api(name).get(f"{API}/opinions"))["items"]]
    refused(api("member1").get(f"{API}/opinions/999999"), 404)


def test_another_countys_staff_and_members_see_nothing(api, api_for, opinion_in, county_info2):
    o = opinion_in("accepted")
    c = api_for("info2")
    refused(c.get(f"{API}/opinions/{o.pk}"), 404)
    refused(post(c, f"/opinions/{o.pk}/review", {"decision": "accept"}), 404)
    refused(post(c, f"/opinions/{o.pk}/adoptions", {"level": "county", "body": "区委办"}), 404)
    assert {x["organisation"]["name"] for x in ok(c.get(f"{API}/opinions"))["items"]} == {"石门区政协"}
    refused(api("other").get(f"{API}/opinions/{o.pk}"), 404)
    refused(api("member2").get(f"{API}/opinions/{o.pk}"), 404)  # a member of the same county, not an author
    # The level above and the county's leader read it; the leader does not review.
    ok(api("citystaff").get(f"{API}/opinions/{o.pk}"))
    assert ok(api("leader").get(f"{API}/opinions/{o.pk}"))["allowed_actions"] == []


# --- the 信息科 -----------------------------------------------------------------------------------------


def test_review_accept_with_edit(api, opinion_in):
    o = opinion_in("submitted")
    refused(post(api("staff"), f"/opinions/{o.pk}/review", {"decision": "accept"}), 403)  # 提案科, not 信息科
    refused(post(api("member1"), f"/opinions/{o.pk}/review", {"decision": "accept"}), 403)
    refused(post(api("info"), f"/opinions/{o.pk}/review", {"decision": "publish"}), 422)
    body = ok(
        post(
            api("info"),
            f"/opinions/{o.pk}/review",
            {
                "decision": "accept",
                "edited_title": "关于解决留守老人就医难的建议",
                "edited_content": "编辑后的正文。",
            },
        )
    )
    assert body["status"] == "accepted" and body["status_label"] == "已录用"
    assert (
        body["edited_title"] == "关于解决留守老人就医难的建议" and body["edited_content"] == "编辑后的正文。"
    )
    assert body["title"] == TEXT["title"]  # the original stays readable
    assert set(body["allowed_actions"]) == {"edit", "forward", "adopt", "instruct"}
    refused(post(api("info"), f"/opinions/{o.pk}/review", {"decision": "accept"}), 409)


def test_review_file_and_return_need_a_reason_the_author_sees(api, opinion_in):
    o = opinion_in("submitted")
    refused(post(api("info"), f"/opinions/{o.pk}/review", {"decision": "return"}), 422, "reason")
    assert Opinion.objects.get(pk=o.pk).status == "submitted"
    ok(post(api("info"), f"/opinions/{o.pk}/review", {"decision": "return", "reason": "请补充数据。"}))
    body = ok(api("member1").get(f"{API}/opinions/{o.pk}"))
    assert body["status"] == "returned" and body["review_note"] == "请补充数据。"
    assert body["allowed_actions"] == ["submit", "update"]
    ok(patch(api("member1"), f"/opinions/{o.pk}", {"content": TEXT["content"] + "涉及老人约1200人。"}))
    assert ok(post(api("member1"), f"/opinions/{o.pk}/submit"))["status"] == "submitted"
    body = ok(
        post(api("info"), f"/opinions/{o.pk}/review", {"decision": "file", "reason": "与已录用信息重复。"})
    )
    assert body["status"] == "filed" and body["status_label"] == "留存未录用"
    assert ok(api("member1").get(f"{API}/opinions/{o.pk}"))["review_note"] == "与已录用信息重复。"


def test_review_merge(api, opinion_in, user):
    keep = opinion_in("submitted", author="member1")
    other = opinion_in("submitted", author="member2", title="留守老人看病难")
    refused(post(api("info"), f"/opinions/{other.pk}/review", {"decision": "merge"}), 422, "merge_into")
    refused(
        post(api("info"), f"/opinions/{other.pk}/review", {"decision": "merge", "merge_into": other.pk}),
        422,
        "merge_into",
    )
    body = ok(post(api("info"), f"/opinions/{other.pk}/review", {"decision": "merge", "merge_into": keep.pk}))
    assert body["status"] == "merged" and body["merged_into"] == keep.pk
    kept = ok(api("info").get(f"{API}/opinions/{keep.pk}"))
    assert [a["member_id"] for a in kept["authors"]] == [user("member1").member.pk, user("member2").member.pk]
    assert kept["authors"][1]["via_merge"] == other.pk


def test_office_patches_its_edit_after_submission(api, opinion_in):
    o = opinion_in("submitted")
    body = ok(
        patch(api("info"), f"/opinions/{o.pk}", {"edited_title": "关于……的建议", "category": "社会民生"})
    )
    assert body["edited_title"] == "关于……的建议" and body["category"] == "社会民生"
    assert body["title"] == TEXT["title"]
    refused(patch(api("info"), f"/opinions/{o.pk}", {"edited_content": "字" * 1501}), 422, "edited_content")
    refused(
        patch(api("info"), f"/opinions/{o.pk}", {"title": "改原标题"}), 403
    )  # the original is the writer's
    refused(patch(api("info"), f"/opinions/{o.pk}", {"title": "x", "edited_title": "y"}), 422)
    refused(patch(api("staff"), f"/opinions/{o.pk}", {"edited_title": "y"}), 403)
    assert Opinion.objects.get(pk=o.pk).edited_title == "关于……的建议"


# --- lists --------------------------------------------------------------------------------------------


def _ids(body, ours):
    """The ids of a list answer that are among `ours` (the demo county has items of its own), in order."""
    return [x["id"] for x in body["items"] if x["id"] in ours]


def test_list_filters_and_row_shape(api, opinion_in):
    d = opinion_in("draft")
    s = opinion_in("submitted", title="农村道路安全隐患较多")
    a = opinion_in("accepted", author="member2")
    ours = {d.pk, s.pk, a.pk}
    every = {"page_size": 100}
    mine = ok(api("member1").get(f"{API}/opinions", every))
    assert set(mine) == {"items", "count"} and mine["count"] >= 2
    assert _ids(mine, ours) == [s.pk, d.pk]  # newest first; member2's item is not member1's
    assert mine["items"][0]["id"] == s.pk and ROW_KEYS <= set(mine["items"][0])
    row = mine["items"][0]
    assert row["status"] == "submitted" and row["status_label"] == "已提交" and row["number"] is None
    assert row["organisation"]["name"] == "青川县政协" and row["authors"][0]["name"]
    info = ok(api("info").get(f"{API}/opinions", {"queue": "true", **every}))
    assert set(_ids(info, ours)) == {s.pk, a.pk}
    accepted = ok(api("info").get(f"{API}/opinions", {"status": "accepted", **every}))
    assert {x["status"] for x in accepted["items"]} == {"accepted"} and _ids(accepted, ours) == [a.pk]
    both = ok(api("info").get(f"{API}/opinions", {"status": "accepted,submitted", **every}))
    assert set(_ids(both, ours)) == {s.pk, a.pk}
    year = timezone.localdate().year
    assert {x["year"] for x in ok(api("info").get(f"{API}/opinions", {"year": year, **every}))["items"]} == {
        year
    }
    assert ok(api("info").get(f"{API}/opinions", {"year": 1999}))["count"] == 0
    found = ok(api("info").get(f"{API}/opinions", {"q": "道路安全隐患", **every}))
    assert _ids(found, ours) == [s.pk]
    assert _ids(ok(api("member2").get(f"{API}/opinions", {"mine": "true", **every})), ours) == [a.pk]
    page2 = ok(api("member1").get(f"{API}/opinions", {"page": 2, "page_size": 1}))
    assert page2["count"] == mine["count"] and len(page2["items"]) == 1
    refused(api("info").get(f"{API}/opinions", {"status": "bogus"}), 422, "status")
    refused(api("info").get(f"{API}/opinions", {"year": "abc"}), 422)
    # Not the 信息科: an empty queue, not an error.
    assert ok(api("staff").get(f"{API}/opinions", {"queue": "true"}))["count"] == 0


def _shimen_item(user, *, co_authors=()):
    """An accepted item of 石门区 (besides its demo items): written by `other`, accepted by its 信息科."""
    other = user("other")
    o = services.opinion_create(user=other, co_author_ids=list(co_authors), **TEXT)
    services.opinion_submit(user=other, opinion=o)
    services.opinion_review(user=user("info2"), opinion=o, decision="accept", edited_title="关于……的建议")
    return o


def test_list_runs_a_constant_number_of_queries(api_for, user, county_info2, django_assert_max_num_queries):
    c = api_for("info2")
    c.get(f"{API}/me")  # the token's first use is stamped once
    demo = ok(c.get(f"{API}/opinions"))["count"]  # 石门区's demo items
    queued = ok(c.get(f"{API}/opinions", {"queue": "true"}))["count"]
    ours = [_shimen_item(user).pk for _ in range(2)]
    with CaptureQueriesContext(connection) as small:
        assert ok(c.get(f"{API}/opinions", {"page_size": 50}))["count"] == demo + 2
    small = len(small)  # now: the next request clears the connection's query log
    for i in range(18):
        o = _shimen_item(user)
        ours.append(o.pk)
        if i % 3 == 0:
            ok(post(c, "/opinion-issues", {"kind": "special", "opinion_ids": [o.pk]}), 201)
    with django_assert_max_num_queries(small):
        body = ok(c.get(f"{API}/opinions", {"page_size": 50}))
    assert (
        body["count"] == demo + 20 and sum(1 for x in body["items"] if x["number"] and x["id"] in ours) == 6
    )
    with django_assert_max_num_queries(small):
        assert ok(c.get(f"{API}/opinions", {"page_size": 50, "queue": "true"}))["count"] == queued + 20
    assert small <= 10


# --- issues -------------------------------------------------------------------------------------------


def test_issue_numbers_are_gap_free_and_publish(api, opinion_in, user):
    a, b, c = (opinion_in("accepted", title=f"第{i}篇信息标题") for i in range(3))
    info = api("info")
    issues_before = OpinionIssue.objects.count()
    year = timezone.localdate().year
    last = OpinionIssue.objects.filter(organisation=a.organisation, year=year).order_by("-number").first()
    refused(
        post(info, "/opinion-issues", {"kind": "special", "opinion_ids": [a.pk, b.pk]}), 422, "opinion_ids"
    )
    refused(post(info, "/opinion-issues", {"kind": "special", "opinion_ids": []}), 422, "opinion_ids")
    refused(post(info, "/opinion-issues", {"kind": "weekly", "opinion_ids": [a.pk]}), 422)
    refused(post(api("staff"), "/opinion-issues", {"kind": "special", "opinion_ids": [a.pk]}), 403)
    submitted = opinion_in("submitted")
    refused(
        post(info, "/opinion-issues", {"kind": "special", "opinion_ids": [submitted.pk]}), 422, "opinion_ids"
    )
    assert OpinionIssue.objects.count() == issues_before  # refusals write nothing

    first = ok(
        post(info, "/opinion-issues", {"kind": "special", "opinion_ids": [a.pk], "signer": "陈志远"}), 201
    )
    assert first["status"] == "draft" and first["kind"] == "special" and first["signer"] == "陈志远"
    assert first["year"] == year and first["items"][0]["id"] == a.pk
    assert first["number"] == (last.number + 1 if last else 1)  # the next number, none skipped
    second = ok(
        post(info, "/opinion-issues", {"kind": "digest", "opinion_ids": [b.pk, c.pk], "title": "民生摘报"}),
        201,
    )
    assert second["number"] == first["number"] + 1 and second["title"] == "民生摘报"
    assert [x["id"] for x in second["items"]] == [b.pk, c.pk]
    refused(post(info, "/opinion-issues", {"kind": "special", "opinion_ids": [a.pk]}), 409)  # already in one

    body = ok(api("member1").get(f"{API}/opinions/{a.pk}"))
    assert body["number"] == first["number"]
    assert body["issue"] == {
        "id": first["id"],
        "number": first["number"],
        "year": first["year"],
        "kind": "special",
        "status": "draft",
    }
    # The author sees the issue only once it is published.
    refused(api("member1").get(f"{API}/opinion-issues/{first['id']}"), 404)

    refused(post(info, f"/opinion-issues/{second['id']}/publish"), 422, "signer")
    assert ok(patch(info, f"/opinion-issues/{second['id']}", {"signer": "陈志远"}))["signer"] == "陈志远"
    refused(post(api("staff"), f"/opinion-issues/{first['id']}/publish"), 403)
    pub = ok(post(info, f"/opinion-issues/{first['id']}/publish"))
    assert pub["status"] == "published" and pub["published_at"] and pub["allowed_actions"] == []
    refused(post(info, f"/opinion-issues/{first['id']}/publish"), 409)
    refused(patch(info, f"/opinion-issues/{first['id']}", {"signer": "别人"}), 409)
    assert ok(api("member1").get(f"{API}/opinion-issues/{first['id']}"))["number"] == first["number"]
    # Published: the item's text is fixed.
    refused(patch(info, f"/opinions/{a.pk}", {"edited_title": "再改"}), 409)
    listed = ok(info.get(f"{API}/opinion-issues", {"year": first["year"]}))
    assert [x["id"] for x in listed["items"][:2]] == [second["id"], first["id"]]  # newest number first
    assert listed["items"][0]["item_count"] == 2 and {x["year"] for x in listed["items"]} == {year}
    assert ok(info.get(f"{API}/opinion-issues", {"year": 1999}))["count"] == 0
    assert ok(api("member1").get(f"{API}/opinion-issues"))["count"] == 0  # the list is the office's


def test_issue_document_contract(api, opinion_in, county_info2, api_for):
    a = opinion_in("accepted")
    issue = ok(
        post(api("info"), "/opinion-issues", {"kind": "special", "opinion_ids": [a.pk], "signer": "陈志远"}),
        201,
    )
    path = f"{API}/opinion-issues/{issue['id']}/document"
    refused(api("info").get(path, {"format": "odt"}), 422, "format")
    refused(api_for("info2").get(path, {"format": "docx"}), 404)  # another county
    refused(api("member2").get(path, {"format": "docx"}), 404)
    refused(api("member1").get(path, {"format": "docx"}), 404)  # the author, before it is published
    refused(api("info").get(f"{API}/opinion-issues/999999/document", {"format": "pdf"}), 404)
    ok(post(api("info"), f"/opinion-issues/{issue['id']}/publish"))
    for fmt, magic, ctype in (
        ("docx", b"PK", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("pdf", b"%PDF", "application/pdf"),
    ):
        r = api("member1").get(path, {"format": fmt})
        assert r.status_code == 200, r.content[:300]
        assert r["Content-Type"] == ctype and r.content.startswith(magic)
        assert "attachment" in r["Content-Disposition"] and f".{fmt}" in r["Content-Disposition"]


# --- forwarding, adoptions, 批示 -----------------------------------------------------------------------


def test_forward_only_upward(api, opinion_in, user):
    o = opinion_in("accepted")
    city = Organisation.objects.get(code="demo-city")
    sibling = Organisation.objects.get(code="demo-county-2")
    town = Organisation.objects.filter(kind="liaison").first()
    info = api("info")
    for target in (sibling.pk, town.pk, o.organisation_id, 999999):
        refused(post(info, f"/opinions/{o.pk}/forward", {"organisation_id": target}), 422, "organisation_id")
    refused(post(api("citystaff"), f"/opinions/{o.pk}/forward", {"organisation_id": city.pk}), 403)
    refused(post(api("member1"), f"/opinions/{o.pk}/forward", {"organisation_id": city.pk}), 403)
    submitted = opinion_in("submitted")
    refused(post(info, f"/opinions/{submitted.pk}/forward", {"organisation_id": city.pk}), 409)
    assert not Opinion.objects.filter(root_id__in=[o.pk, submitted.pk], organisation=city).exists()

    body = ok(post(info, f"/opinions/{o.pk}/forward", {"organisation_id": city.pk}))
    [to] = body["forwarded_to"]
    assert (
        to["organisation_id"] == city.pk
        and to["organisation"] == "江州市政协"
        and to["status"] == "submitted"
    )
    refused(post(info, f"/opinions/{o.pk}/forward", {"organisation_id": city.pk}), 409)
    copy = ok(api("citystaff").get(f"{API}/opinions/{to['opinion_id']}"))
    assert copy["forwarded_from"] == {
        "organisation_id": o.organisation_id,
        "organisation": "青川县政协",
        "opinion_id": o.pk,
    }
    assert copy["title"] == o.edited_title and copy["status"] == "submitted"
    row = ok(api("citystaff").get(f"{API}/opinions", {"queue": "true"}))["items"][0]  # newest first
    assert row["id"] == copy["id"] and row["source_body"] == "青川县政协" and row["forwarded_from_id"] == o.pk


def test_adoptions_by_level(api, opinion_in):
    o = opinion_in("accepted")
    info = api("info")
    today = timezone.localdate()
    path = f"/opinions/{o.pk}/adoptions"
    refused(post(info, path, {"level": "county", "body": ""}), 422, "body")
    refused(post(info, path, {"level": "town", "body": "县委办"}), 422)
    refused(
        post(
            info,
            path,
            {"level": "county", "body": "县委办", "adopted_on": str(today + datetime.timedelta(1))},
        ),
        422,
    )
    refused(post(api("member1"), path, {"level": "county", "body": "县委办"}), 403)
    refused(post(api("staff"), path, {"level": "county", "body": "县委办"}), 403)
    assert not Adoption.objects.filter(root_id=o.pk).exists()
    a = ok(
        post(
            info,
            path,
            {"level": "county", "body": "县委办公室", "used_as": "summary", "adopted_on": str(today)},
        ),
        201,
    )
    assert {k: a[k] for k in ("level", "level_label", "body", "used_as", "adopted_on", "revoked")} == {
        "level": "county",
        "level_label": "县级",
        "body": "县委办公室",
        "used_as": "summary",
        "adopted_on": str(today),
        "revoked": False,
    }
    assert a["organisation"]["name"] == "青川县政协"
    body = ok(api("member1").get(f"{API}/opinions/{o.pk}"))
    assert [x["id"] for x in body["adoptions"]] == [a["id"]]
    assert body["timeline"][-1]["action"] == "adopt"
    # Revoke (extension): with a reason; twice is a conflict.
    rv = f"/opinions/{o.pk}/adoptions/{a['id']}/revoke"
    refused(post(info, rv, {"reason": ""}), 422, "reason")
    assert ok(post(info, rv, {"reason": "登记有误"}))["revoked"] is True
    refused(post(info, rv, {"reason": "登记有误"}), 409)
    other = opinion_in("accepted")
    refused(post(info, f"/opinions/{other.pk}/adoptions/{a['id']}/revoke", {"reason": "x"}), 404)
    assert ok(api("member1").get(f"{API}/opinions/{o.pk}"))["adoptions"][0]["revoked"] is True
    # Submitted, not accepted: no adoption yet.
    s = opinion_in("submitted")
    refused(post(info, f"/opinions/{s.pk}/adoptions", {"level": "county", "body": "县委办"}), 409)


def test_instruction_without_a_unit(api, opinion_in):
    o = opinion_in("accepted")
    info = api("info")
    path = f"/opinions/{o.pk}/instructions"
    data = {
        "leader": "县委书记 张三",
        "level": "county",
        "content": "请县卫健局研究落实。",
        "instructed_on": "2020-01-02",
    }
    refused(post(info, path, {**data, "leader": ""}), 422, "leader")
    refused(post(info, path, {**data, "content": " "}), 422, "content")
    refused(post(info, path, {**data, "deadline": "2099-01-01"}), 422, "unit_id")  # a deadline needs a unit
    refused(post(api("member1"), path, data), 403)
    i = ok(post(info, path, data), 201)
    assert {
        k: i[k] for k in ("leader", "level", "content", "instructed_on", "unit", "deadline", "case_id")
    } == {
        "leader": "县委书记 张三",
        "level": "county",
        "content": "请县卫健局研究落实。",
        "instructed_on": "2020-01-02",
        "unit": None,
        "deadline": None,
        "case_id": None,
    }
    body = ok(api("member1").get(f"{API}/opinions/{o.pk}"))
    assert [x["id"] for x in body["instructions"]] == [i["id"]] and body["followups"] == []


def test_instruction_with_a_unit_is_a_followup_in_its_inbox(api, opinion_in, user):
    from django.urls import reverse

    o = opinion_in("accepted")
    unit = user("handler1").handling_unit
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    data = {
        "leader": "县长 李四",
        "level": "county",
        "content": "请县教育局落实。",
        "unit_id": unit.pk,
        "deadline": str(deadline),
    }
    refused(post(api("info"), f"/opinions/{o.pk}/instructions", {**data, "unit_id": 999999}), 422, "unit_id")
    i = ok(post(api("info"), f"/opinions/{o.pk}/instructions", data), 201)
    assert i["unit"] == {"id": unit.pk, "name": unit.name} and i["deadline"] == str(deadline) and i["case_id"]
    body = ok(api("member1").get(f"{API}/opinions/{o.pk}"))
    [f] = body["followups"]
    assert f["instruction_id"] == i["id"] and f["case_id"] == i["case_id"] and f["unit"]["id"] == unit.pk
    assert f["deadline"] == str(deadline) and f["status"] == "assigned" and f["light"] in (None, "green")
    assert f["url"] == reverse("handling:case", args=[i["case_id"]])
    inbox = ok(api("handler1").get(f"{API}/inbox"))
    assert i["case_id"] in [x.get("case_id", x.get("id")) for x in inbox["items"]]


# --- the whole journey --------------------------------------------------------------------------------


def test_journey_from_member_to_city_adoption(api, user):
    m1 = api("member1")
    a = _create(api, co_author_ids=[user("member2").member.pk])
    ok(post(m1, f"/opinions/{a['id']}/submit"))
    info = api("info")
    assert a["id"] in [x["id"] for x in ok(info.get(f"{API}/opinions", {"queue": "true"}))["items"]]
    ok(
        post(
            info,
            f"/opinions/{a['id']}/review",
            {"decision": "accept", "edited_title": "关于改善农村留守老人就医条件的建议"},
        )
    )
    issue = ok(
        post(info, "/opinion-issues", {"kind": "special", "opinion_ids": [a["id"]], "signer": "陈志远"}), 201
    )
    ok(post(info, f"/opinion-issues/{issue['id']}/publish"))
    r = info.get(f"{API}/opinion-issues/{issue['id']}/document", {"format": "docx"})
    assert r.status_code == 200 and r.content.startswith(b"PK"), r.content[:300]

    city = Organisation.objects.get(code="demo-city")
    fwd = ok(post(info, f"/opinions/{a['id']}/forward", {"organisation_id": city.pk}))
    copy_id = fwd["forwarded_to"][0]["opinion_id"]
    cs = api("citystaff")
    assert ok(cs.get(f"{API}/opinions", {"queue": "true"}))["items"][0]["id"] == copy_id
    ok(post(cs, f"/opinions/{copy_id}/review", {"decision": "accept"}))
    # Below the city's own level: refused, nothing written.
    refused(post(cs, f"/opinions/{copy_id}/adoptions", {"level": "county", "body": "县委办"}), 422, "level")
    assert not Adoption.objects.filter(root_id=a["id"]).exists()
    # The county's 信息科 cannot even see the city's copy (it follows it on its own item).
    refused(post(info, f"/opinions/{copy_id}/adoptions", {"level": "city", "body": "市委办"}), 404)
    adoption = ok(post(cs, f"/opinions/{copy_id}/adoptions", {"level": "city", "body": "市委办公室"}), 201)
    assert adoption["organisation"]["name"] == "江州市政协"

    body = ok(m1.get(f"{API}/opinions/{a['id']}"))
    assert body["status"] == "accepted" and body["number"] == issue["number"]
    assert body["issue"]["status"] == "published"
    assert body["edited_title"] == "关于改善农村留守老人就医条件的建议"
    [ad] = body["adoptions"]
    assert ad["id"] == adoption["id"] and ad["level"] == "city" and ad["level_label"] == "市级"
    assert ad["organisation"] == {"id": city.pk, "name": "江州市政协"} and ad["revoked"] is False
    [to] = body["forwarded_to"]
    assert to == {
        "organisation_id": city.pk,
        "organisation": "江州市政协",
        "opinion_id": copy_id,
        "status": "accepted",
        "status_label": "已录用",
    }
    actions = [e["action"] for e in body["timeline"]]
    assert actions[:5] == ["create", "submit", "accept", "issue", "publish"] and "forward" in actions
    # member2 co-authored it and sees the same.
    assert ok(api("member2").get(f"{API}/opinions/{a['id']}"))["adoptions"][0]["id"] == adoption["id"]


def test_detail_runs_a_constant_number_of_queries(api, opinion_in):
    info = api("info")
    counts = []
    for n in (2, 20):
        o = opinion_in("accepted", co_authors=["member2", "member3"])
        for k in range(n):
            ok(post(info, f"/opinions/{o.pk}/adoptions", {"level": "county", "body": f"单位{k}"}), 201)
            ok(
                post(
                    info,
                    f"/opinions/{o.pk}/instructions",
                    {"leader": f"领导{k}", "level": "county", "content": "阅"},
                ),
                201,
            )
        seen = []
        for c in (api("member1"), info, api("citystaff")):
            c.get(f"{API}/me")  # the token's first use is stamped once
            with CaptureQueriesContext(connection) as q:
                body = ok(c.get(f"{API}/opinions/{o.pk}"))
            assert len(body["adoptions"]) == n and len(body["instructions"]) == n
            assert len(body["timeline"]) > 2 * n
            seen.append(len(q))
        counts.append(seen)
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= 20, counts


# --- figures and /me ----------------------------------------------------------------------------------


def test_stats_shape_and_figures(api, opinion_in):
    year = timezone.localdate().year
    path = f"{API}/opinions/stats"
    before = ok(api("info").get(path, {"year": year}))
    assert set(before) == {"received", "accepted", "filed", "merged", "issues", "adopted", "instructions"}
    assert set(before["adopted"]) == {"county", "city", "province", "national"}
    o = opinion_in("accepted")
    ok(post(api("info"), f"/opinions/{o.pk}/adoptions", {"level": "county", "body": "县委办"}), 201)
    after = ok(api("info").get(path))  # the year defaults to this one
    assert after["received"] == before["received"] + 1 and after["accepted"] == before["accepted"] + 1
    assert after["adopted"]["county"] == before["adopted"]["county"] + 1
    # The city reads the county's figures; a bad year is 422.
    county = ok(api("citystaff").get(path, {"year": year, "organisation": o.organisation_id}))
    assert county == after
    refused(api("info").get(path, {"year": "x"}), 422)


def test_me_has_member_id(api, user):
    assert ok(api("member1").get(f"{API}/me"))["member_id"] == user("member1").member.pk
    assert ok(api("info").get(f"{API}/me"))["member_id"] is None


def test_the_paths_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/opinions",
        "/api/v1/opinions/stats",
        "/api/v1/opinions/{pk}",
        "/api/v1/opinions/{pk}/submit",
        "/api/v1/opinions/{pk}/review",
        "/api/v1/opinions/{pk}/forward",
        "/api/v1/opinions/{pk}/adoptions",
        "/api/v1/opinions/{pk}/instructions",
        "/api/v1/opinion-issues",
        "/api/v1/opinion-issues/{pk}/publish",
        "/api/v1/opinion-issues/{pk}/document",
    ):
        assert path in paths, path
