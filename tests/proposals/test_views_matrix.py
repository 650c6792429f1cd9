"""Every role x every proposal page: who gets the page, who gets 404 (another county, a role with no
business there), and that a POST by the wrong role changes nothing. Lists run a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.proposals.models import Proposal

from .builders import build

USERS = [
    "member1",
    "member2",
    "staff",
    "info",
    "leader",
    "handler1",
    "unithead1",
    "handler2",
    "liaison",
    "auditor",
    "admin",
    "citystaff",
    "other",
]
MEMBERS = {"member1", "member2", "other"}
OFFICE = {"staff", "citystaff"}
UNITS = {"handler1", "unithead1", "handler2"}
STATS = {"staff", "info", "leader", "admin", "citystaff"}
PAGES = {
    "proposals:mine": MEMBERS,
    "proposals:create": MEMBERS,
    "proposals:list": STATS | UNITS,
    "proposals:review_queue": OFFICE,
    "proposals:batch_assign": OFFICE,
    "proposals:changes": OFFICE,
    "proposals:compilation": OFFICE,
    "handling:inbox": UNITS,
    # Every office that runs a kind of routed item supervises (the 信息科 runs 批示落实).
    "handling:board": OFFICE | {"info", "leader", "admin"},
    "handling:units": OFFICE | {"info", "leader", "admin"},
    "proposals:key": OFFICE | {"leader"},
    "proposals:stats": STATS,
    "dashboard:index": STATS,
}


@pytest.mark.parametrize("name", PAGES)
def test_role_page_matrix(client_for, name):
    for username in USERS:
        r = client_for(username).get(reverse(name))
        expected = 200 if username in PAGES[name] else 404
        assert r.status_code == expected, (name, username, r.status_code)


def test_anonymous_is_sent_to_login(client):
    for name in PAGES:
        r = client.get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r.url


def test_detail_visibility(client_for, proposal_in):
    p = proposal_in("assigned")
    # Once accepted a proposal is open to every member of its committee.
    seen = {
        "member1",
        "member2",
        "member3",
        "staff",
        "info",
        "leader",
        "handler1",
        "unithead1",
        "admin",
        "citystaff",
    }
    for username in USERS:
        r = client_for(username).get(reverse("proposals:detail", args=[p.pk]))
        assert r.status_code == (200 if username in seen else 404), (username, r.status_code)


def test_members_see_a_colleagues_proposal_only_once_accepted(client_for, proposal_in):
    p = proposal_in("submitted")
    assert client_for("member2").get(reverse("proposals:detail", args=[p.pk])).status_code == 404
    p = proposal_in("accepted")
    assert client_for("member2").get(reverse("proposals:detail", args=[p.pk])).status_code == 200
    assert client_for("other").get(reverse("proposals:detail", args=[p.pk])).status_code == 404


def test_other_people_drafts_are_invisible(client_for, proposal_in):
    p = proposal_in("draft")
    assert client_for("member1").get(reverse("proposals:edit", args=[p.pk])).status_code == 200
    for username in ("member2", "staff", "leader", "other"):
        assert client_for(username).get(reverse("proposals:edit", args=[p.pk])).status_code == 404
        assert client_for(username).get(reverse("proposals:detail", args=[p.pk])).status_code == 404


def test_action_pages_only_for_whom_the_action_is(client_for, proposal_in):
    p = proposal_in("submitted")
    url = reverse("proposals:action", args=[p.pk, "review"])
    assert client_for("staff").get(url).status_code == 200
    for username in ("member1", "leader", "citystaff"):
        assert client_for(username).get(url).status_code == 403
    for username in ("member2", "handler1", "other"):
        assert client_for(username).get(url).status_code == 404
    assert client_for("staff").get(reverse("proposals:action", args=[p.pk, "nonsense"])).status_code == 404


def test_hiding_is_not_the_protection(client_for, proposal_in):
    """POSTs by users who are not shown the action are refused by the services."""
    p = proposal_in("submitted")
    r = client_for("leader").post(reverse("proposals:action", args=[p.pk, "review"]), {"decision": "accept"})
    assert r.status_code == 403 and "只有本级提案委员会" in r.content.decode()
    r = client_for("member1").post(reverse("proposals:action", args=[p.pk, "review"]), {"decision": "accept"})
    assert r.status_code == 403
    r = client_for("other").post(reverse("proposals:action", args=[p.pk, "review"]), {"decision": "accept"})
    assert r.status_code == 404
    assert Proposal.objects.get(pk=p.pk).status == Proposal.Status.SUBMITTED
    q = proposal_in("handling")
    r = client_for("handler2").post(reverse("proposals:simple_action", args=[q.pk, "close"]))
    assert r.status_code == 404
    r = client_for("member1").post(
        reverse("proposals:action", args=[q.pk, "reply"]), {"result_class": "A", "content": "x"}
    )
    assert r.status_code in (403, 422)
    assert Proposal.objects.get(pk=q.pk).status == Proposal.Status.HANDLING
    r = client_for("member1").post(reverse("proposals:simple_action", args=[q.pk, "remind"]), follow=True)
    assert "只有本级提案委员会" in r.content.decode()


def test_menu_per_role(client_for):
    assert "我的提案" in client_for("member1").get("/").content.decode()
    staff = client_for("staff").get("/").content.decode()
    assert "立案审查" in staff and "提案统计" in staff and "领导驾驶舱" in staff
    unit = client_for("handler1").get("/").content.decode()
    assert "承办工作台" in unit and "立案审查" not in unit and "我的提案" not in unit
    assert "重点提案" in client_for("leader").get("/").content.decode()


def test_workbench_todos(client_for, proposal_in):
    proposal_in("draft")
    proposal_in("submitted", author="member2")
    proposal_in("assigned", author="member3")
    assert "提案草稿" in client_for("member1").get("/").content.decode()
    assert "待审查的提案" in client_for("staff").get("/").content.decode()
    assert "待签收的交办事项" in client_for("handler1").get("/").content.decode()


def _count(client, url):
    client.get(url)  # warm caches (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


LIST_PAGES = [
    ("staff", "proposals:list", ""),
    ("staff", "proposals:list", "?q=教育&light=red"),
    ("member1", "proposals:mine", ""),
    ("handler1", "handling:inbox", ""),
    ("staff", "handling:board", ""),
    ("staff", "handling:units", ""),
    ("staff", "proposals:review_queue", ""),
    ("staff", "proposals:stats", ""),
    ("leader", "dashboard:index", ""),
    ("leader", "proposals:key", ""),
    ("staff", "proposals:batch_assign", ""),
    ("staff", "core:workbench", ""),
    ("member1", "core:workbench", ""),
    ("handler1", "core:workbench", ""),
]


@pytest.mark.parametrize("username,name,query", LIST_PAGES)
def test_list_pages_run_a_constant_number_of_queries(client_for, username, name, query):
    c = client_for(username)
    url = reverse(name) + query
    build(status="replied", reply_class="A", ratings=["satisfied"], light="", title="关于教育的提案")
    before = _count(c, url)
    for i in range(6):
        build(
            status=["submitted", "accepted", "assigned", "replied"][i % 4],
            reply_class="B" if i % 4 == 3 else None,
            ratings=["basically_satisfied"],
            cosigners=["member2"],
            light="red" if i % 2 else "yellow",
            is_key=True,
            title=f"关于教育事业发展的提案{i}",
            unit_name=["县教育局", "县财政局"][i % 2],
            category=["科教文卫", "经济建设"][i % 2],
        )
    assert _count(c, url) == before
