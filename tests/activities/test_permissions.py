"""Every role × every page and API route of activities.

Invisible (another county, a role with no business, a member not invited): 404. Visible but not
theirs to run (leader, city staff, sysadmin, an invited member on a staff action): 403.
Staff of the meeting's own county run it (office and the proposal office alike).
"""

import pytest
from django.test import Client

from zhengxie.activities import services

USERS = [
    "staff",
    "office",
    "leader",
    "member1",
    "member2",
    "handler1",
    "liaison",
    "auditor",
    "citystaff",
    "admin",
    "other",
]
RUNNERS = {"staff", "office"}
OVERSEERS = RUNNERS | {"leader", "citystaff", "admin"}
VIEWERS = OVERSEERS | {"member1"}  # member1 is invited, member2 is not
PAGE_ROLES = OVERSEERS | {"member1", "member2", "liaison", "other"}
STATS = OVERSEERS
CREATORS = {"staff", "office", "citystaff"}


def expected(user, ok: set, visible: set = VIEWERS, ok_code=200):
    if user in ok:
        return ok_code
    return 403 if user in visible else 404


PAGES = [
    ("list", lambda m: "/activities/", lambda u: 200 if u in PAGE_ROLES else 404),
    ("calendar", lambda m: "/activities/calendar/", lambda u: 200 if u in PAGE_ROLES else 404),
    ("attendance", lambda m: "/activities/attendance/", lambda u: 200 if u in STATS else 404),
    ("create", lambda m: "/activities/new/", lambda u: 200 if u in CREATORS else 404),
    ("detail", lambda m: f"/activities/{m.pk}/", lambda u: 200 if u in VIEWERS else 404),
    ("replies", lambda m: f"/activities/{m.pk}/replies/", lambda u: 200 if u in OVERSEERS else 404),
    ("edit", lambda m: f"/activities/{m.pk}/edit/", lambda u: expected(u, RUNNERS)),
    ("invite", lambda m: f"/activities/{m.pk}/invite/", lambda u: expected(u, RUNNERS)),
    ("invite search", lambda m: f"/activities/{m.pk}/invite/search/?q=张", lambda u: expected(u, RUNNERS)),
    ("qr", lambda m: f"/activities/{m.pk}/qr/", lambda u: expected(u, RUNNERS)),
    ("qr code", lambda m: f"/activities/{m.pk}/qr/code/", lambda u: expected(u, RUNNERS)),
]

ACTIONS = [  # POSTs; runners are redirected back with a message (302)
    ("notify", lambda m, i: f"/activities/{m.pk}/notify/", {}),
    ("close", lambda m, i: f"/activities/{m.pk}/close/", {}),
    ("cancel", lambda m, i: f"/activities/{m.pk}/cancel/", {"reason": "测试"}),
    ("rotate", lambda m, i: f"/activities/{m.pk}/qr/rotate/", {}),
    ("attendance", lambda m, i: f"/activities/{m.pk}/invitations/{i.pk}/attendance/", {"present": "1"}),
    ("decide", lambda m, i: f"/activities/{m.pk}/invitations/{i.pk}/decide/", {"approve": "1"}),
    ("remove", lambda m, i: f"/activities/{m.pk}/invitations/{i.pk}/remove/", {}),
]


@pytest.fixture
def world(make_meeting):
    m = make_meeting(invite=("member1",))
    return m, m.invitations.get()


@pytest.mark.parametrize("who", USERS)
def test_pages(who, world, client_for):
    m, _ = world
    c = client_for(who)
    got = {name: c.get(url(m)).status_code for name, url, _ in PAGES}
    want = {name: rule(who) for name, _, rule in PAGES}
    assert got == want


@pytest.mark.parametrize("who", USERS)
def test_actions(who, world, client_for):
    m, inv = world
    c = client_for(who)
    for name, url, data in ACTIONS:
        code = c.post(url(m, inv), data).status_code
        assert code == expected(who, RUNNERS, ok_code=302), name


def test_anonymous_is_sent_to_log_in(world):
    m, inv = world
    c = Client()
    for _, url, _ in PAGES:
        r = c.get(url(m))
        assert r.status_code == 302 and "/accounts/login/" in r.url
    assert c.get(f"/activities/checkin/{m.pk}/{services.checkin_token(m)}/").status_code == 302
    assert c.get("/api/v1/meetings").status_code == 401


def test_member_reply_is_only_for_invited_members(world, client_for):
    m, _ = world
    assert client_for("member2").post(f"/activities/{m.pk}/reply/", {"reply": "attend"}).status_code == 404
    assert client_for("other").post(f"/activities/{m.pk}/reply/", {"reply": "attend"}).status_code == 404
    assert client_for("office").post(f"/activities/{m.pk}/reply/", {"reply": "attend"}).status_code == 403
    assert client_for("member1").post(f"/activities/{m.pk}/reply/", {"reply": "attend"}).status_code == 302


API_READ = [
    ("get", lambda m: f"/api/v1/meetings/{m.pk}", lambda u: 200 if u in VIEWERS else 404),
    (
        "invitations",
        lambda m: f"/api/v1/meetings/{m.pk}/invitations",
        lambda u: 200 if u in OVERSEERS else 404,
    ),
]
API_STAFF = [
    ("invite", lambda m, i: f"/api/v1/meetings/{m.pk}/invite", {"standing": True}),
    ("notify", lambda m, i: f"/api/v1/meetings/{m.pk}/notify", {}),
    ("decide", lambda m, i: f"/api/v1/meetings/{m.pk}/leave-requests/{i.pk}/decide", {"approve": True}),
    ("attendance", lambda m, i: f"/api/v1/meetings/{m.pk}/attendance", {"present": True}),
    ("close", lambda m, i: f"/api/v1/meetings/{m.pk}/close", {}),
]


@pytest.mark.parametrize("who", USERS)
def test_api(who, world, api_for):
    m, inv = world
    c = api_for(who)
    for name, url, rule in API_READ:
        assert c.get(url(m)).status_code == rule(who), name
    for name, url, data in API_STAFF:
        if name == "attendance":
            data = {**data, "member_id": inv.member_id}
        code = c.post(url(m, inv), data, content_type="application/json").status_code
        if who in RUNNERS:
            assert code in (200, 409), name  # allowed; the state may refuse (nothing to notify, not started)
        else:
            assert code == expected(who, set()), name
    r = c.post(
        "/api/v1/meetings",
        {
            "kind": "training",
            "title": "培训",
            "starts_at": "2026-12-01T09:00:00+08:00",
            "ends_at": "2026-12-01T11:00:00+08:00",
        },
        content_type="application/json",
    )
    assert r.status_code == (201 if who in CREATORS else 403)
