"""Across organisations: the city's proposal office sees the counties below it on the board (its
subtree); another county's people see nothing of 青川县; a menu entry shown to a user opens for them."""

import re

import pytest

from tests.proposals.builders import build
from zhengxie.core.models import Notification
from zhengxie.core.navigation import menu_for
from zhengxie.proposals.models import Proposal

from .helpers import days, other_county_staff, owed, rows, text, totals_of

pytestmark = pytest.mark.django_db

TITLE = "跨组织样例：关于县城学校扩容的提案"


@pytest.fixture
def item(db):
    return build(title=TITLE, light="red", deadline=days(-2))


def test_the_city_office_sees_the_county_items_on_its_board(client_for, api_for, user, units, item):
    city = user("citystaff").organisation
    r = client_for("citystaff").get("/handling/board/")
    assert r.status_code == 200
    figures = r.context["figures"]
    assert figures["totals"] == totals_of(owed(case__organisation__path__startswith=city.path))
    assert figures["totals"]["red"] >= 1
    assert units["教育局"].pk in {u["unit_id"] for u in figures["units"]}
    assert item.case_id in {
        x["case_id"] for x in rows(client_for("citystaff").get("/handling/board/", {"q": "跨组织样例"}))
    }
    body = api_for("citystaff").get("/api/v1/inbox", {"q": "跨组织样例"}).json()
    assert body["count"] == 1 and body["items"][0]["id"] == item.pk
    assert api_for("citystaff").get("/api/v1/handling/board").json() == figures


def test_a_member_of_another_county_sees_nothing(client_for, api_for, item):
    c, a = client_for("other"), api_for("other")
    assert c.get("/handling/").status_code == 404
    assert c.get("/handling/board/").status_code == 404
    assert c.get("/handling/units/").status_code == 404
    assert a.get("/api/v1/inbox").status_code == 403
    assert a.get("/api/v1/handling/board").status_code == 403
    assert a.get("/api/v1/handling/units").status_code == 403
    r = a.post("/api/v1/handling/remind", {"case_ids": [item.case_id]}, content_type="application/json")
    assert r.status_code == 403
    assert not Notification.objects.filter(title__contains="县城学校扩容").exists()


def test_the_office_of_another_county_sees_none_of_this_county(client_for, api_for, units, item):
    sibling = other_county_staff().organisation
    c, a = client_for("shimenstaff"), api_for("shimenstaff")
    r = c.get("/handling/board/")
    assert r.status_code == 200
    # 石门区's own items only (its demo year): none of 青川县's units or cases
    assert r.context["figures"]["totals"] == totals_of(owed(case__organisation=sibling))
    ours = {u.pk for u in units.values()}
    assert not ours & {u["unit_id"] for u in r.context["figures"]["units"]}
    assert item.case_id not in {x["case_id"] for x in rows(r)} and TITLE not in text(r)
    assert item.pk not in [i["id"] for i in a.get("/api/v1/inbox", {"q": "跨组织样例"}).json()["items"]]
    assert a.get("/api/v1/inbox", {"unit": units["教育局"].pk}).json()["count"] == 0
    assert a.get("/api/v1/handling/board", {"unit": units["教育局"].pk}).json()["totals"]["total"] == 0
    assert not ours & {u["unit_id"] for u in a.get("/api/v1/handling/units").json()}
    # Nor may it act on this county's items.
    r = a.post("/api/v1/handling/remind", {"case_ids": [item.case_id]}, content_type="application/json")
    assert r.status_code == 403
    assert c.get(f"/handling/board/{item.case_id}/extend/").status_code == 404
    assert not Notification.objects.filter(title__contains="县城学校扩容").exists()
    assert Proposal.objects.get(pk=item.pk).deadline == days(-2)


def test_every_extension_link_the_board_shows_opens(client_for, user, item):
    """A 延期 link on the board is an offer: the user who sees it may use it (the city office sees the
    county's items but may neither extend nor remind them, 只有本级)."""
    for username in ("staff", "citystaff"):
        c = client_for(username)
        html = text(c.get("/handling/board/", {"q": "跨组织样例"}))
        links = set(re.findall(r'href="(/handling/board/\d+/extend/)"', html))
        refused = [link for link in links if c.get(link).status_code == 404]
        assert refused == [], f"{username} is offered 延期 it may not use: {refused}"


@pytest.mark.parametrize(
    "username", ["staff", "info", "office", "leader", "admin", "handler1", "unithead1", "member1"]
)
def test_every_handling_menu_entry_a_user_is_shown_opens(client_for, user, username):
    entries = [e["url"] for _section, items in menu_for(user(username)) for e in items]
    handling = [url for url in entries if url.startswith("/handling/")]
    c = client_for(username)
    refused = [url for url in handling if c.get(url).status_code != 200]
    assert refused == [], f"{username} sees menu entries that refuse them: {refused}"
