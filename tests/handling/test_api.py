"""The spine over the API: GET /api/v1/inbox for units, offices and leaders; GET /api/v1/me names the
member and the handling unit."""

import pytest

from tests.proposals.builders import build
from zhengxie.members.models import Member
from zhengxie.proposals.handling_kind import source_text

from .helpers import days, owed

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox"
ROW_KEYS = {
    "kind",
    "kind_label",
    "id",
    "case_id",
    "assignment_id",
    "label",
    "title",
    "deadline",
    "overdue",
    "co_late",
    "light",
    "status",
    "stage",
    "role",
    "role_label",
    "unit",
    "acknowledged",
    "change_pending",
    "url",
    "signoff",  # added with 签发: "" | "pending" | "returned"
    "source",  # 来源 (#8): where it came from — 个人提案（张三）, 县长批示（社情民意信息《…》）…
}


def _all(client, **params):
    """Every row over all pages."""
    out, page = [], 1
    while True:
        r = client.get(INBOX, {**params, "page": page})
        assert r.status_code == 200, r.content.decode()
        body = r.json()
        out += body["items"]
        if len(out) >= body["count"] or not body["items"]:
            return out, body["count"]
        page += 1


def test_a_handler_gets_the_units_owed_items_in_the_documented_shape(api_for, user):
    p = build(title="关于甲乡中心校校舍维修的提案", light="red", deadline=days(-3))
    build(title="关于乙镇老旧小区雨污分流改造的提案", unit_name="县住房和城乡建设局")
    edu = user("handler1").handling_unit
    c = api_for("handler1")

    r = c.get(INBOX)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == owed(unit=edu).count()
    assert all(set(x) == ROW_KEYS for x in body["items"])

    items, count = _all(c)
    assert len(items) == count and {x["unit"]["id"] for x in items} == {edu.pk}
    [row] = [x for x in items if x["case_id"] == p.case_id]
    assert row == {
        **row,
        "kind": "proposal",
        "kind_label": "提案",
        "id": p.pk,
        "title": "关于甲乡中心校校舍维修的提案",
        "deadline": f"{days(-3):%Y-%m-%d}",
        "overdue": True,
        "light": "red",
        "status": "assigned",
        "stage": "handling",
        "role": "lead",
        "role_label": "主办",
        "unit": {"id": edu.pk, "name": "县教育局"},
        "acknowledged": True,
        "url": f"/proposals/{p.pk}/",
        # 来源: who proposed it (the number is the row's label already).
        "source": source_text(p),
    }
    assert "乙镇老旧小区" not in r.content.decode()


def test_a_handler_cannot_look_at_another_unit_through_unit(api_for, units, user):
    build(title="关于乙镇老旧小区雨污分流改造的提案", unit_name="县住房和城乡建设局")
    items, _ = _all(api_for("handler1"), unit=units["住建局"].pk)
    assert {x["unit"]["id"] for x in items} == {user("handler1").handling_unit_id}


def test_filters_over_the_api(api_for):
    red = build(title="接口筛选：关于校车安全的提案", light="red", deadline=days(-2))
    build(title="接口筛选：关于课后服务的提案", light="green", deadline=days(60))
    c = api_for("handler1")
    assert c.get(INBOX, {"q": "接口筛选"}).json()["count"] == 2
    body = c.get(INBOX, {"q": "接口筛选", "light": "red"}).json()
    assert body["count"] == 1 and body["items"][0]["id"] == red.pk
    assert c.get(INBOX, {"q": "接口筛选", "kind": "proposal"}).json()["count"] == 2
    assert c.get(INBOX, {"q": "接口筛选", "status": "unacknowledged"}).json()["count"] == 0
    titles = [x["title"] for x in c.get(INBOX, {"q": "接口筛选", "sort": "-deadline"}).json()["items"]]
    assert titles == ["接口筛选：关于课后服务的提案", "接口筛选：关于校车安全的提案"]


def test_staff_see_every_units_items_and_may_pick_one_unit(api_for, units, user):
    build(title="关于甲乡中心校校舍维修的提案")
    build(title="关于乙镇老旧小区雨污分流改造的提案", unit_name="县住房和城乡建设局")
    c = api_for("staff")
    county = user("staff").organisation
    body = c.get(INBOX).json()
    assert body["count"] == owed(case__organisation__path__startswith=county.path).count()
    items, _ = _all(c)
    assert {units["教育局"].pk, units["住建局"].pk} <= {x["unit"]["id"] for x in items}

    items, count = _all(c, unit=units["住建局"].pk)
    assert count == owed(unit=units["住建局"]).count() and {x["unit"]["id"] for x in items} == {
        units["住建局"].pk
    }
    assert "关于乙镇老旧小区雨污分流改造的提案" in {x["title"] for x in items}
    assert "关于甲乡中心校校舍维修的提案" not in {x["title"] for x in items}


def test_a_leader_sees_the_county_too(api_for, user):
    county = user("leader").organisation
    assert (
        api_for("leader").get(INBOX).json()["count"]
        == owed(case__organisation__path__startswith=county.path).count()
    )


@pytest.mark.parametrize("username", ["other", "member1"])
def test_a_member_is_refused_in_chinese(api_for, username):
    r = api_for(username).get(INBOX)
    assert r.status_code == 403
    assert r.json()["detail"] == "只有承办单位、督办部门和领导可以查看交办事项。"


def test_a_bad_light_is_422_with_a_chinese_detail(api_for):
    r = api_for("handler1").get(INBOX, {"light": "blue"})
    assert r.status_code == 422
    assert r.json()["detail"] == "督办灯须为 red、yellow 或 green。" and r.json()["field"] == "light"
    r = api_for("staff").get(INBOX, {"kind": "nonsense"})
    assert r.status_code == 422 and r.json()["detail"].startswith("类型不正确，须为 proposal（提案）、")
    r = api_for("staff").get(INBOX, {"unit": "abc"})
    assert r.status_code == 422 and r.json()["detail"].startswith("输入有误：")


def test_without_a_token_the_inbox_is_401(client):
    r = client.get(INBOX)
    assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效。"


def test_me_names_the_member_and_the_handling_unit(api_for, user):
    me = api_for("member1").get("/api/v1/me").json()
    assert me["member_id"] == Member.objects.get(user__username="member1").pk
    assert isinstance(me["member_id"], int) and me["handling_unit_id"] is None
    me = api_for("handler1").get("/api/v1/me").json()
    assert me["member_id"] is None and me["handling_unit_id"] == user("handler1").handling_unit_id
    assert me["roles"] == ["unit_handler"]
    me = api_for("staff").get("/api/v1/me").json()
    assert me["member_id"] is None and me["handling_unit_id"] is None and me["office"] == "proposal"
