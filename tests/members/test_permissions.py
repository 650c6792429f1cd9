"""Every role × every page and API route of the members app: allowed (200/302) or denied (404).

A role with no business on a page gets 404, the same as an object outside the user's organisations,
so that a page never tells anybody that something exists. The anonymous visitor is sent to log in
(pages) or gets 401 (API).
"""

import pytest
from django.test import Client

USERS = [
    "admin",
    "staff",
    "info",
    "office",
    "leader",
    "member1",
    "member2",
    "member3",
    "handler1",
    "handler2",
    "unithead1",
    "liaison",
    "auditor",
    "secadmin",
    "citystaff",
    "other",
]

SYS = {"admin"}
SEC = {"admin", "secadmin"}
ROSTER = {"admin", "staff", "info", "office", "leader", "liaison", "citystaff"}
EXPORT = {"admin", "staff", "info", "office", "citystaff"}
MEMBERS = {"member1", "member2", "member3", "other"}
EVERYONE = set(USERS)

# (name, url builder, who may use it). Objects in 青川县 unless the name says 石门区.
PAGES = [
    ("index", lambda w: "/manage/", SEC | ROSTER),
    ("org tree", lambda w: "/manage/orgs/", SYS),
    ("org add child", lambda w: f"/manage/orgs/{w.county.pk}/add/", SYS),
    ("org edit", lambda w: f"/manage/orgs/{w.county.pk}/edit/", SYS),
    ("org settings", lambda w: f"/manage/orgs/{w.county.pk}/settings/", SYS),
    ("org settings 石门区", lambda w: f"/manage/orgs/{w.county2.pk}/settings/", SYS),
    ("terms", lambda w: "/manage/terms/", SYS),
    ("term new", lambda w: "/manage/terms/new/", SYS),
    ("term edit", lambda w: f"/manage/terms/{w.term.pk}/edit/", SYS),
    ("term edit 石门区", lambda w: f"/manage/terms/{w.term2.pk}/edit/", SYS),
    ("session new", lambda w: f"/manage/terms/{w.term.pk}/sessions/new/", SYS),
    ("session edit", lambda w: f"/manage/sessions/{w.session.pk}/edit/", SYS),
    ("sectors", lambda w: "/manage/sectors/", SYS),
    ("sector new", lambda w: "/manage/sectors/new/", SYS),
    ("sector edit", lambda w: f"/manage/sectors/{w.sector.pk}/edit/", SYS),
    ("sector edit 石门区", lambda w: f"/manage/sectors/{w.sector2.pk}/edit/", SYS),
    ("committees", lambda w: "/manage/committees/", SYS),
    ("committee new", lambda w: "/manage/committees/new/", SYS),
    ("committee edit", lambda w: f"/manage/committees/{w.committee.pk}/edit/", SYS),
    ("parties", lambda w: "/manage/parties/", SYS),
    ("party new", lambda w: "/manage/parties/new/", SYS),
    ("party edit", lambda w: f"/manage/parties/{w.party.pk}/edit/", SYS),
    ("units", lambda w: "/manage/units/", SYS),
    ("unit new", lambda w: "/manage/units/new/", SYS),
    ("unit detail", lambda w: f"/manage/units/{w.unit.pk}/", SYS),
    ("unit detail 石门区", lambda w: f"/manage/units/{w.unit2.pk}/", SYS),
    ("unit edit", lambda w: f"/manage/units/{w.unit.pk}/edit/", SYS),
    ("users", lambda w: "/manage/users/", SEC),
    ("user new", lambda w: "/manage/users/new/", SYS),
    ("user detail", lambda w: f"/manage/users/{w.handler1.pk}/", SEC),
    ("user detail 石门区", lambda w: f"/manage/users/{w.other_user.pk}/", SYS),
    ("user edit", lambda w: f"/manage/users/{w.handler1.pk}/edit/", SYS),
    ("roster", lambda w: "/manage/members/", ROSTER),
    ("member in liaison's group", lambda w: f"/manage/members/{w.member2.pk}/", ROSTER),
    ("member in another group", lambda w: f"/manage/members/{w.member1.pk}/", ROSTER - {"liaison"}),
    ("member 石门区", lambda w: f"/manage/members/{w.other.pk}/", {"admin", "citystaff"}),
    ("member edit", lambda w: f"/manage/members/{w.member1.pk}/edit/", SYS),
    ("member new", lambda w: "/manage/members/new/", SYS),
    ("member new 青川县", lambda w: f"/manage/members/new/?organisation={w.county.pk}", SYS),
    ("member new 石门区", lambda w: f"/manage/members/new/?organisation={w.county2.pk}", SYS),
    ("roster import", lambda w: "/manage/members/import/", SYS),
    ("roster template", lambda w: "/manage/members/import/template/", SYS),
    ("roster export", lambda w: "/manage/members/export/", EXPORT),
]

# POST actions: (name, url builder, data, who may do it). Denied users run first, so that what they
# were refused is still there for the allowed ones.
ACTIONS = [
    ("org deactivate", lambda w: f"/manage/orgs/{w.town2.pk}/active/", {"active": "0"}, SYS),
    (
        "org add child",
        lambda w: f"/manage/orgs/{w.county.pk}/add/",
        {"name": "新建镇政协联络组", "kind": "liaison"},
        SYS,
    ),
    ("org settings", lambda w: f"/manage/orgs/{w.county.pk}/settings/", {}, SYS),
    ("term current", lambda w: f"/manage/terms/{w.term.pk}/current/", {}, SYS),
    ("session current", lambda w: f"/manage/sessions/{w.session.pk}/current/", {}, SYS),
    ("sector move", lambda w: f"/manage/sectors/{w.sector.pk}/move/", {"direction": "down"}, SYS),
    ("committee move", lambda w: f"/manage/committees/{w.committee.pk}/move/", {"direction": "down"}, SYS),
    ("party move", lambda w: f"/manage/parties/{w.party.pk}/move/", {"direction": "down"}, SYS),
    ("unit deactivate", lambda w: f"/manage/units/{w.unit.pk}/active/", {"active": "0"}, SYS),
    ("unit deactivate 石门区", lambda w: f"/manage/units/{w.unit2.pk}/active/", {"active": "0"}, SYS),
    ("handler remove", lambda w: f"/manage/units/{w.unit.pk}/handlers/{w.handler1.pk}/remove/", {}, SYS),
    ("user unlock", lambda w: f"/manage/users/{w.handler1.pk}/unlock/", {}, SEC),
    ("user unlock 石门区", lambda w: f"/manage/users/{w.other_user.pk}/unlock/", {}, SYS),
    ("user reset password", lambda w: f"/manage/users/{w.handler1.pk}/reset-password/", {}, SEC),
]

API = [
    ("organisations", lambda w: "/api/v1/organisations", EVERYONE),
    ("sectors", lambda w: "/api/v1/sectors", EVERYONE),
    ("committees", lambda w: "/api/v1/committees", EVERYONE),
    ("units", lambda w: "/api/v1/units", EVERYONE),
    ("members", lambda w: "/api/v1/members", ROSTER | MEMBERS),
    (
        "member in liaison's group",
        lambda w: f"/api/v1/members/{w.member2.pk}",
        (ROSTER | MEMBERS) - {"other"},
    ),
    (
        "member in another group",
        lambda w: f"/api/v1/members/{w.member1.pk}",
        (ROSTER | MEMBERS) - {"other", "liaison"},
    ),
    ("member 石门区", lambda w: f"/api/v1/members/{w.other.pk}", {"admin", "citystaff", "other"}),
]


def _allowed(status: int) -> bool:
    return status in (200, 302)


@pytest.mark.parametrize("name,url,allowed", PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(world, client_for, name, url, allowed):
    target = url(world)
    got = {u: client_for(u).get(target).status_code for u in USERS}
    expected = {u: (200 if u in allowed else 404) for u in USERS}
    assert {u: ("allowed" if _allowed(s) else s) for u, s in got.items()} == {
        u: ("allowed" if s == 200 else s) for u, s in expected.items()
    }
    anonymous = Client().get(target)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


@pytest.mark.parametrize("name,url,data,allowed", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_action_matrix(world, client_for, name, url, data, allowed):
    from zhengxie.core.models import AuditEntry

    target = url(world)
    order = [u for u in USERS if u not in allowed] + [u for u in USERS if u in allowed]
    before = AuditEntry.objects.filter(action__startswith="members.").count()
    got = {}
    for u in order:
        got[u] = client_for(u).post(target, data).status_code
        if u not in allowed:
            assert AuditEntry.objects.filter(action__startswith="members.").count() == before, u
    expected = {u: ("allowed" if u in allowed else 404) for u in USERS}
    assert {u: ("allowed" if _allowed(s) else s) for u, s in got.items()} == expected


@pytest.mark.parametrize("name,url,allowed", API, ids=[a[0] for a in API])
def test_api_matrix(world, api_for, name, url, allowed):
    target = url(world)
    got = {u: api_for(u).get(target).status_code for u in USERS}
    assert got == {u: (200 if u in allowed else 404) for u in USERS}
    denied = [u for u in USERS if u not in allowed]
    if denied:
        body = api_for(denied[0]).get(target).json()
        assert body["detail"] == "未找到。"
    assert Client().get(target).status_code == 401


def test_get_only_pages_refuse_post_actions_by_get(world, client_for):
    """State changes are POST only: a GET of an action URL changes nothing."""
    c = client_for("admin")
    assert c.get(f"/manage/units/{world.unit.pk}/active/").status_code == 405
    world.unit.refresh_from_db()
    assert world.unit.is_active


@pytest.fixture
def county_admin(db, world):
    """A system administrator of 青川县 only (the demo's admin sits at city level)."""
    from zhengxie.core.demo import make_user
    from zhengxie.core.models import Role

    return make_user("countyadmin", "县系统管理员", world.county, [Role.SYSADMIN])


def test_county_admin_sees_nothing_of_the_other_county(world, county_admin, client_for, api_for):
    c = client_for("countyadmin")
    for url in [
        f"/manage/orgs/{world.county2.pk}/edit/",
        f"/manage/orgs/{world.county2.pk}/settings/",
        f"/manage/terms/{world.term2.pk}/edit/",
        f"/manage/sectors/{world.sector2.pk}/edit/",
        f"/manage/units/{world.unit2.pk}/",
        f"/manage/users/{world.other_user.pk}/",
        f"/manage/members/{world.other.pk}/",
    ]:
        assert c.get(url).status_code == 404, url
    assert c.post(f"/manage/units/{world.unit2.pk}/active/", {"active": "0"}).status_code == 404
    world.unit2.refresh_from_db()
    assert world.unit2.is_active
    for url in [
        f"/manage/orgs/{world.county.pk}/edit/",
        f"/manage/units/{world.unit.pk}/",
        f"/manage/members/{world.member1.pk}/",
    ]:
        assert c.get(url).status_code == 200, url
    tree = c.get("/manage/orgs/").content.decode()
    assert "青川县政协" in tree and "石门区政协" not in tree and "江州市政协" not in tree
    users = c.get("/manage/users/?q=other").content.decode()
    assert "钱立新" not in users
    api = api_for("countyadmin")
    assert api.get(f"/api/v1/members/{world.other.pk}").status_code == 404
    names = {o["name"] for o in api.get("/api/v1/organisations?page_size=100").json()["items"]}
    assert "石门区政协" not in names and "青川县政协" in names


def test_city_level_users_see_both_counties(world, client_for):
    for username in ["admin", "citystaff"]:
        body = client_for(username).get("/manage/members/?q=钱立新").content.decode()
        assert "钱立新" in body, username
        body = client_for(username).get(f"/manage/members/?q={world.member1.name}").content.decode()
        assert world.member1.name in body, username


def test_menu_shows_the_sections_to_the_right_roles(client_for):
    admin = client_for("admin").get("/").content.decode()
    assert "系统管理" in admin and "/manage/orgs/" in admin and "/manage/users/" in admin
    sec = client_for("secadmin").get("/").content.decode()
    assert "/manage/users/" in sec and "/manage/orgs/" not in sec
    staff = client_for("staff").get("/").content.decode()
    assert "/manage/members/" in staff and "/manage/orgs/" not in staff and "/manage/users/" not in staff
    member = client_for("member1").get("/").content.decode()
    assert "/manage/" not in member
