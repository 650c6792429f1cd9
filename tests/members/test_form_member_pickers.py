"""Issue #13: every form where staff choose members of a whole committee — 民主评议 指定委员, 视察调研 参加委员 and
执笔人, 民主监督 组长 and 成员, 委员工作室 入驻委员, 社情民意 第一作者 (staff writing on a member's behalf), 协商
发言委员 — holds no list of every member once a committee has more than core.pickers.SMALL: the page keeps
its size and its queries, the box asks /pick/<name>/, which answers only the members that form accepts for
that user (nothing outside their committee, nothing to whoever may not use the form). Chosen ids, or names
typed without JavaScript, are saved; a member of another county is refused by the field in Chinese and what
was typed stays on the page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import HandlingUnit, Office, Organisation, Role, User
from zhengxie.members.models import Member, Sector

from .test_member_pickers import _many as add_members

ERROR = "所选委员无效或不在您的范围内"


def pick(name):
    return reverse("core:picker", args=[name])


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


def _many(org, n, start=0, prefix="规模委员"):
    sector = Sector.objects.filter(organisation=org).order_by("pk").first()
    add_members(org, sector, n, start=start, prefix=prefix)


def _round(user):
    from zhengxie.appraisal import services

    now = timezone.now()
    return services.create(
        user("office"),
        year=now.year,
        title="规模测试评议",
        kind="places",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=7),
        items=[{"name": "环境卫生", "weight": 100}],
    )


def _consultation(county):
    from zhengxie.consultation.models import Consultation
    from zhengxie.consultation.services.consultations import SEGMENT_STATES

    c = Consultation.objects.filter(organisation=county, status__in=SEGMENT_STATES).order_by("pk").first()
    assert c is not None, "the demo has no consultation open for segments"
    return c


def _topic(user):
    from zhengxie.research import services

    leader = User.objects.get(username="leader")
    return services.create(
        user("office"),
        kind="research",
        year=timezone.localdate().year,
        title="规模测试调研",
        background="",
        leader=leader,
        committee=None,
        member_ids=[Member.objects.get(user__username="member1").pk],
        writer_ids=[],
        starts_on=None,
        ends_on=None,
        sites="",
        chair_collective=False,
    )


def _studio(user):
    from zhengxie.studios import services

    return services.studio_create(user=user("office"), name="规模测试工作室", member_ids=[])


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries), r.content.decode()


# (who, the page's url given the objects, the picker the box asks, the scope in its address)
PAGES = {
    "appraisal": (
        "office",
        lambda o: reverse("appraisal:detail", args=[o["round"].pk]),
        "appraisal-invitees",
    ),
    "research_new": ("office", lambda o: reverse("research:create"), "research-members"),
    "research_edit": ("office", lambda o: reverse("research:edit", args=[o["topic"].pk]), "research-members"),
    "supervision": ("office", lambda o: reverse("supervision:create"), "supervision-members"),
    "studio_new": ("office", lambda o: reverse("studios:create"), "studio-members"),
    "studio_edit": ("office", lambda o: reverse("studios:edit", args=[o["studio"].pk]), "studio-members"),
    "opinion": ("info", lambda o: reverse("opinions:create"), "opinion-authors"),
    "consultation": (
        "office",
        lambda o: reverse("consultation:detail", args=[o["consultation"].pk]),
        "consultation-speakers",
    ),
}


@pytest.fixture
def objects(user, county):
    return {
        "round": _round(user),
        "topic": _topic(user),
        "studio": _studio(user),
        "consultation": _consultation(county),
    }


def test_the_forms_keep_their_size_and_queries_with_hundreds_of_members(client_for, county, objects):
    _many(county, 200)
    before = {}
    for key, (who, url, name) in PAGES.items():
        before[key] = _get(client_for(who), url(objects))
        html = before[key][1]
        assert f'data-picker="{pick(name)}' in html, key
        assert "规模委员0100" not in html and "规模委员0199" not in html, key
    _many(county, 200, start=200)
    for key, (who, url, _) in PAGES.items():
        n, html = _get(client_for(who), url(objects))
        assert n <= before[key][0], (key, before[key][0], n)
        assert len(html) <= len(before[key][1]) + 200, (key, len(before[key][1]), len(html))
        assert "规模委员0300" not in html, key
    # the scoped boxes say which round, topic, studio or consultation they choose for
    _, html = _get(client_for("office"), PAGES["appraisal"][1](objects))
    assert f'data-picker="{pick("appraisal-invitees")}?round={objects["round"].pk}"' in html
    _, html = _get(client_for("office"), PAGES["research_edit"][1](objects))
    assert f'data-picker="{pick("research-members")}?topic={objects["topic"].pk}"' in html
    # the topic's member is still shown chosen, named as everywhere (姓名（界别）)
    m = Member.objects.select_related("sector").get(user__username="member1")
    box = re.search(r'<select name="members".*?</select>', html, re.S).group(0)
    assert f'<option value="{m.pk}" selected>{m.name}（{m.sector.name}）</option>' in box


def test_a_small_committee_keeps_its_plain_lists(client_for, county, objects):
    html = client_for("office").get(reverse("research:create")).content.decode()
    assert re.search(r'<select name="members"[^>]*multiple', html) and "data-picker" not in html
    m = Member.objects.select_related("sector").get(user__username="member1")
    assert f">{m.name}（{m.sector.name}）</option>" in html


def _names(client, name, q="规模委员", **scope):
    r = client.get(pick(name), {"q": q, **scope})
    assert r.status_code == 200
    return [i["text"] for i in r.json()["items"]]


def test_each_picker_answers_only_what_its_form_accepts_for_that_user(client_for, user, county, objects):
    _many(county, 200)
    other = Organisation.objects.get(code="demo-county-2")
    _many(other, 3, prefix="邻县委员")
    gone = Member.objects.get(name="规模委员0007")
    gone.status = Member.Status.EXITED
    gone.save(update_fields=["status"])
    neighbour = User.objects.create(
        username="fp_neighbour", name="邻县办公室", organisation=other, office=Office.GENERAL
    )
    neighbour.set_roles([Role.STAFF])
    scopes = {
        "appraisal-invitees": ("office", {"round": objects["round"].pk}),
        "research-members": ("office", {}),
        "supervision-members": ("office", {}),
        "studio-members": ("office", {}),
        "opinion-authors": ("info", {}),
        "consultation-speakers": ("office", {"consultation": objects["consultation"].pk}),
    }
    for name, (who, scope) in scopes.items():
        mine = client_for(who)
        with CaptureQueriesContext(connection) as ctx:
            found = _names(mine, name, "规模委员000", **scope)
        assert len(ctx.captured_queries) <= 8, (name, [q["sql"] for q in ctx.captured_queries])
        assert len(found) == 9 and not any(t.startswith("规模委员0007") for t in found), (name, found)
        assert mine.get(pick(name), {"q": "规模委员", **scope}).json()["more"] is True, name
        assert _names(mine, name, "邻县委员", **scope) == [], name
        # a member, a member of another county, and another county's office get nothing of this committee
        for outsider in ("member1", "other", "fp_neighbour"):
            assert _names(client_for(outsider), name, **scope) == [], (name, outsider)
        # the neighbour's office finds its own members where the form is its own (no scope of ours)
        if not scope and name != "opinion-authors":
            assert _names(client_for("fp_neighbour"), name, "邻县委员") != [], name
    # scopes: the edit boxes of a topic and of a studio; junk or a missing row gives nothing
    assert len(_names(client_for("office"), "research-members", topic=objects["topic"].pk)) == 30
    assert len(_names(client_for("office"), "studio-members", studio=objects["studio"].pk)) == 30
    for name, key in (
        ("appraisal-invitees", "round"),
        ("research-members", "topic"),
        ("studio-members", "studio"),
    ):
        for junk in ("x", "0", "-3", "99999999"):
            assert _names(client_for("office"), name, **{key: junk}) == [], (name, junk)
    assert _names(client_for("office"), "consultation-speakers") == []


def test_chosen_and_typed_members_are_saved(client_for, county, objects):
    from zhengxie.research.models import ResearchTopic
    from zhengxie.studios.models import Studio
    from zhengxie.supervision.models import Supervision

    _many(county, 200)
    ids = {m.name: m.pk for m in Member.objects.filter(name__startswith="规模委员01")}
    office = client_for("office")
    leader = User.objects.get(username="leader")
    r = office.post(
        reverse("research:create"),
        {
            "kind": "research",
            "year": timezone.localdate().year,
            "title": "手选调研",
            "leader": leader.pk,
            "members": [ids["规模委员0101"], "规模委员0102、规模委员0103"],
            "writers": ["规模委员0103"],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    t = ResearchTopic.objects.get(title="手选调研")
    assert set(t.members.values_list("name", flat=True)) == {"规模委员0101", "规模委员0102", "规模委员0103"}
    assert list(t.writers.values_list("name", flat=True)) == ["规模委员0103"]

    unit = HandlingUnit.objects.filter(organisation=county, is_active=True).order_by("pk").last()
    r = office.post(
        reverse("supervision:create"),
        {
            "year": 2031,
            "unit_id": unit.pk,
            "leader_member_id": "规模委员0110",
            "member_ids": [ids["规模委员0111"], ids["规模委员0112"]],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    s = Supervision.objects.get(year=2031, unit=unit)
    assert s.leader.name == "规模委员0110"

    r = office.post(reverse("studios:create"), {"name": "手选工作室", "members": [ids["规模委员0120"]]})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert list(Studio.objects.get(name="手选工作室").members.values_list("name", flat=True)) == [
        "规模委员0120"
    ]

    from zhengxie.appraisal.models import Rater

    rnd = objects["round"]
    r = office.post(reverse("appraisal:invite", args=[rnd.pk]), {"members": [ids["规模委员0130"]]})
    assert r.status_code == 302
    assert Rater.objects.filter(round=rnd, member_id=ids["规模委员0130"]).exists()

    c = objects["consultation"]
    r = office.post(
        reverse("consultation:segment", args=[c.pk]),
        {"kind": "speech", "member": "规模委员0140", "title": "手选发言"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert c.segments.get(title="手选发言").member_id == ids["规模委员0140"]


def test_a_member_of_another_county_is_refused_in_chinese_and_what_was_typed_stays(
    client_for, county, objects
):
    _many(county, 200)
    other = Organisation.objects.get(code="demo-county-2")
    _many(other, 1, prefix="邻县委员")
    stranger = Member.objects.get(name="邻县委员0000").pk
    mine = Member.objects.get(name="规模委员0150").pk
    office = client_for("office")
    posts = {
        reverse("research:create"): (
            {
                "kind": "research",
                "year": 2031,
                "title": "伪造调研",
                "leader": User.objects.get(username="leader").pk,
            },
            ("members", "writers"),
        ),
        reverse("supervision:create"): ({"year": 2031, "title": "伪造监督"}, ("member_ids",)),
        reverse("studios:create"): ({"name": "伪造工作室"}, ("members",)),
        reverse("appraisal:invite", args=[objects["round"].pk]): ({}, ("members",)),
    }
    for url, (data, fields) in posts.items():
        for field in fields:
            r = office.post(url, {**data, field: [mine, stranger]})
            html = r.content.decode()
            assert r.status_code in (200, 422) and ERROR in html, (url, field)
            for value in data.values():
                assert f'value="{value}"' in html, (url, value)
            # the valid one chosen stays chosen (the box holds it, named)
            box = re.search(rf'<select name="{field}".*?</select>', html, re.S).group(0)
            assert f'<option value="{mine}" selected>规模委员0150' in box, (url, field)
    r = office.post(reverse("supervision:create"), {"year": 2031, "leader_member_id": stranger})
    assert ERROR in r.content.decode()
    c = objects["consultation"]
    r = office.post(reverse("consultation:segment", args=[c.pk]), {"kind": "speech", "member": stranger})
    assert ERROR in r.content.decode()
    r = client_for("info").post(reverse("opinions:create"), {"title": "伪造作者", "author": stranger})
    assert ERROR in r.content.decode() and 'value="伪造作者"' in r.content.decode()


def test_the_forms_searched_in_the_page_hold_no_list_either(client_for, user, county):
    """会议活动 逐个选择委员, 提案 联名附议委员 and 社情民意 联名作者 were already searched in the page (htmx, at
    most 30 rows): not pickers. A member choosing co-signers finds any active member of the committee."""
    from zhengxie.activities.models import Meeting

    _many(county, 200)
    m = Meeting.objects.filter(organisation=county).order_by("pk").first()
    pages = [
        ("office", reverse("activities:invite", args=[m.pk])),
        ("member1", reverse("proposals:create")),
        ("member1", reverse("opinions:create")),
    ]
    for who, url in pages:
        html = client_for(who).get(url).content.decode()
        assert html.count("规模委员0") <= 30, url  # at most the first 30 rows of a search, not 200
    member = client_for("member1")
    found = member.get(reverse("proposals:member_search"), {"q": "规模委员01"}).content.decode()
    assert found.count('name="cosigners"') == 30 and "仅显示前 30 位" in found
    assert (
        "规模委员0150"
        in member.get(reverse("proposals:member_search"), {"q": "规模委员0150"}).content.decode()
    )
    other = client_for("other").get(reverse("proposals:member_search"), {"q": "规模委员"}).content.decode()
    assert 'name="cosigners"' not in other and "没有找到“规模委员”" in other
