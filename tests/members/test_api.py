"""The read API: scoping by organisation, search, pagination, and what non-staff callers may see."""

import re

from zhengxie.members.models import Member


def _all(client, url):
    return client.get(url + ("&" if "?" in url else "?") + "page_size=100").json()


def test_members_are_scoped_to_the_callers_committee(world, api_for):
    other = _all(api_for("other"), "/api/v1/members")
    assert other["count"] > 0
    assert {m["organisation"]["name"] for m in other["items"]} == {"石门区政协"}
    mine = _all(api_for("member1"), "/api/v1/members")
    assert {m["organisation"]["name"] for m in mine["items"]} == {"青川县政协"}
    everyone = api_for("admin").get("/api/v1/members").json()  # the city's three counties
    linjiang = Member.objects.filter(organisation__code="demo-county-3").count()
    assert everyone["count"] == mine["count"] + other["count"] + linjiang and linjiang > 0
    assert api_for("other").get(f"/api/v1/members/{world.member1.pk}").json() == {"detail": "未找到。"}


def test_liaison_sees_only_their_groups_members(world, api_for):
    data = _all(api_for("liaison"), "/api/v1/members")
    assert data["count"] >= 1
    assert {m["liaison_group"]["name"] for m in data["items"]} == {world.town.name}
    assert world.member2.pk in {m["id"] for m in data["items"]}
    assert api_for("liaison").get(f"/api/v1/members/{world.member1.pk}").status_code == 404


def test_search_members_by_name(world, api_for):
    data = api_for("staff").get("/api/v1/members", {"q": world.member1.name}).json()
    assert data["count"] >= 1 and all(world.member1.name in m["name"] for m in data["items"])
    assert api_for("staff").get("/api/v1/members", {"q": "不存在的名字"}).json() == {"items": [], "count": 0}


def test_pagination_shape(api_for):
    first = api_for("staff").get("/api/v1/members").json()
    assert set(first) == {"items", "count"} and len(first["items"]) == 20 and first["count"] == 30
    second = api_for("staff").get("/api/v1/members", {"page": 2}).json()
    assert len(second["items"]) == 10
    assert not {m["id"] for m in first["items"]} & {m["id"] for m in second["items"]}


def test_members_list_masks_phone_for_non_staff_and_never_lists_id_numbers(world, api_for):
    for username in ["member1", "leader", "liaison"]:
        for m in _all(api_for(username), "/api/v1/members")["items"]:
            assert re.fullmatch(r"\d{3}\*{4}\d{4}", m["phone"]), (username, m["phone"])
            assert "id_number" not in m
    staff_items = _all(api_for("staff"), "/api/v1/members")["items"]
    assert all(re.fullmatch(r"\d{11}", m["phone"]) for m in staff_items)


def test_member_detail_shows_id_number_only_to_staff_and_admin(world, api_for):
    url = f"/api/v1/members/{world.member2.pk}"
    for username in ["staff", "admin"]:
        body = api_for(username).get(url).json()
        assert body["id_number"] == world.member2.id_number and body["phone"] == world.member2.phone
    for username in ["member1", "leader", "liaison"]:
        body = api_for(username).get(url).json()
        assert body["id_number"] is None and body["address"] is None and body["birth_date"] is None
        assert body["phone"] == world.member2.masked_phone


def test_organisations_of_a_county_user_are_the_county_and_its_groups(world, api_for):
    data = _all(api_for("staff"), "/api/v1/organisations")
    names = {o["name"] for o in data["items"]}
    assert "青川县政协" in names and world.town.name in names
    assert "石门区政协" not in names and "江州市政协" not in names
    town = next(o for o in data["items"] if o["id"] == world.town.pk)
    assert town["parent_id"] == world.county.pk and town["kind"] == "liaison"
    found = api_for("staff").get("/api/v1/organisations", {"q": "城关"}).json()
    assert [o["name"] for o in found["items"]] == [world.town.name]


def test_reference_lists_are_scoped(world, api_for):
    for route in ["/api/v1/sectors", "/api/v1/committees", "/api/v1/units"]:
        other = _all(api_for("other"), route)
        assert all(i["organisation_id"] == world.county2.pk for i in other["items"]), route
        mine = _all(api_for("member1"), route)
        assert all(i["organisation_id"] == world.county.pk for i in mine["items"]), route
        # A liaison group's user gets their committee's lists.
        assert _all(api_for("liaison"), route)["count"] == mine["count"], route
    units = api_for("handler1").get("/api/v1/units", {"q": "教育"}).json()
    assert [u["name"] for u in units["items"]] == ["县教育局"]
    sectors = api_for("member1").get("/api/v1/sectors", {"q": "教育"}).json()
    assert [s["name"] for s in sectors["items"]] == ["教育界"]


def test_errors_are_json_with_chinese_detail(world, api_for, client):
    r = api_for("member1").get("/api/v1/members/999999")
    assert r.status_code == 404 and r.json()["detail"] == "未找到。"
    r = client.get("/api/v1/members")
    assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效。"
    r = api_for("member1").get("/api/v1/members", {"page": 0})
    assert r.status_code == 422 and r.json()["detail"].startswith("输入有误")
