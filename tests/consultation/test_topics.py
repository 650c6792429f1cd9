"""选题: a member proposes, the office groups, ranks and records the chair's meeting's decision, the member
sees the status; other counties and other members see nothing (404), members decide nothing (403); a chosen
topic goes into the plan as a consultation; the list page reads a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.consultation.models import Consultation, Topic
from zhengxie.consultation.services import topics as services
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Notification

pytestmark = pytest.mark.django_db


def test_member_proposes_staff_arranges_and_decides_member_sees_status(proposed, user, client_for):
    t = proposed()
    assert t.source == "member" and t.member.user.username == "member1" and t.status == "candidate"
    assert Notification.objects.filter(user__username="office", url=f"/consultation/topics/{t.pk}/").exists()

    office = client_for("office")
    r = office.post(
        reverse("consultation:topic_arrange", args=[t.pk]),
        {"group_label": "城乡建设", "rank": "2", "next": f"/consultation/topics/?year={t.year}"},
    )
    assert r.status_code == 302 and r["Location"] == f"/consultation/topics/?year={t.year}"
    t.refresh_from_db()
    assert (t.group_label, t.rank) == ("城乡建设", 2)

    r = office.post(
        reverse("consultation:topic_decide", args=[t.pk]), {"decision": "chosen", "note": "列入计划"}
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "chosen" and t.decided_by.username == "office" and t.decision_note == "列入计划"
    assert Notification.objects.filter(user__username="member1", title__contains="已被选定").exists()

    member = client_for("member1")
    page = member.get(reverse("consultation:topics") + f"?year={t.year}")
    assert page.status_code == 200
    text = page.content.decode()
    assert t.title in text and "已选定" in text
    # The member sees only their own proposals, not the demo's other topics.
    assert "河长制落实与中小河流治理" not in text
    assert member.get(reverse("consultation:topic", args=[t.pk])).status_code == 200


def test_other_county_and_other_members_see_nothing(proposed, user, client_for, api_for):
    t = proposed()
    for username in ("other", "member2"):
        assert client_for(username).get(reverse("consultation:topic", args=[t.pk])).status_code == 404
        r = api_for(username).post(
            f"/api/v1/consultation-topics/{t.pk}/decide",
            {"decision": "chosen"},
            content_type="application/json",
        )
        assert r.status_code == 404, username
        with pytest.raises(NotFound):
            services.decide(user=user(username), topic=t, decision="chosen")
    assert Topic.objects.get(pk=t.pk).status == "candidate"
    # 石门区's lists never show 青川县's topics.
    assert not services.topics_for(user("other")).filter(organisation__code="demo-county").exists()


def test_member_cannot_decide_or_arrange_even_their_own(proposed, user, api_for, client_for):
    t = proposed()
    r = api_for("member1").post(
        f"/api/v1/consultation-topics/{t.pk}/decide", {"decision": "chosen"}, content_type="application/json"
    )
    assert r.status_code == 403 and "工作人员" in r.json()["detail"]
    with pytest.raises(Forbidden):
        services.arrange(user=user("member1"), topic=t, rank=1)
    # Pages: the forms are not offered and posting is refused without a change.
    assert (
        client_for("member1")
        .post(reverse("consultation:topic_decide", args=[t.pk]), {"decision": "chosen"})
        .status_code
        == 404
    )
    assert Topic.objects.get(pk=t.pk).status == "candidate"


def test_decision_rules(proposed, user):
    office = user("office")
    t = proposed()
    with pytest.raises(Invalid) as e:
        services.decide(user=office, topic=t, decision="not_chosen", note="")
    assert e.value.status == 422 and "说明" in e.value.message
    with pytest.raises(Invalid):
        services.decide(user=office, topic=t, decision="maybe")
    services.decide(user=office, topic=t, decision="not_chosen", note="与提案重复")
    with pytest.raises(Conflict) as e:
        services.decide(user=office, topic=t, decision="chosen")
    assert e.value.status == 409 and "不能重复决定" in e.value.message


def test_sources_by_who(user):
    member1, office = user("member1"), user("office")
    with pytest.raises(Forbidden):
        services.propose(user=member1, title="议题", reason="理由", source="party_gov")
    with pytest.raises(Invalid) as e:
        services.propose(user=office, title="议题", reason="理由", source="public")
    assert e.value.code == "public_only"
    with pytest.raises(Invalid):
        services.propose(user=member1, title="", reason="理由", source="member")
    with pytest.raises(Invalid):
        services.propose(user=member1, title="议" * 101, reason="理由", source="member")
    with pytest.raises(Invalid):
        services.propose(user=member1, title="议题", reason="", source="member")
    # The proposal office's staff ("staff") is not consultation staff and no member.
    with pytest.raises(Forbidden):
        services.propose(user=user("staff"), title="议题", reason="理由", source="research")
    t = services.propose(user=office, title="调研发现的问题", reason="", source="research")
    assert t.member is None and t.created_by == office
    m2 = user("member2").member
    t = services.propose(user=office, title="代委员录入", reason="理由", source="member", member=m2.pk)
    assert t.member == m2
    # HTML is text: stored as typed, escaped on the page.
    t = services.propose(user=member1, title="<script>alert(1)</script>", reason="<b>x</b>", source="member")
    assert t.title == "<script>alert(1)</script>"


def test_topic_page_escapes_html(user, client_for):
    t = services.propose(
        user=user("member1"), title="<img src=x onerror=alert(1)>", reason="理由", source="member"
    )
    text = client_for("office").get(reverse("consultation:topic", args=[t.pk])).content.decode()
    assert "<img src=x" not in text and "&lt;img src=x" in text


def test_member_proposes_through_the_page(client_for):
    c = client_for("member1")
    assert c.get(reverse("consultation:topic_create")).status_code == 200
    r = c.post(
        reverse("consultation:topic_create"),
        {
            "title": "关于规范校外培训的建议",
            "reason": "校外培训收费不透明。",
            "source": "member",
            "year": 2026,
        },
    )
    assert r.status_code == 302
    t = Topic.objects.get(title="关于规范校外培训的建议")
    assert t.member.user.username == "member1" and t.source == "member"
    # A member cannot pass off a topic as 党政点题 through the form.
    r = c.post(
        reverse("consultation:topic_create"),
        {"title": "冒充党政点题", "reason": "理由", "source": "party_gov", "year": 2026},
    )
    assert r.status_code == 422 and not Topic.objects.filter(title="冒充党政点题").exists()
    # Units have no topic pages.
    assert client_for("handler1").get(reverse("consultation:topic_create")).status_code == 404


def test_chosen_topic_into_the_plan(proposed, user, client_for):
    office = user("office")
    t = proposed()
    r = client_for("office").post(
        reverse("consultation:topic_plan", args=[t.pk]), {"form": "bimonthly", "planned_month": "11"}
    )
    assert r.status_code == 409 and "已选定" in r.content.decode()
    services.decide(user=office, topic=t, decision="chosen")
    r = client_for("office").post(
        reverse("consultation:topic_plan", args=[t.pk]), {"form": "bimonthly", "planned_month": "11"}
    )
    assert r.status_code == 302
    c = Consultation.objects.get(topic=t)
    assert (c.title, c.form, c.planned_month, c.year, c.status) == (
        t.title,
        "bimonthly",
        11,
        t.year,
        "planned",
    )
    assert c in services.plan_rows(t.organisation, t.year)
    page = client_for("office").get(reverse("consultation:topic", args=[t.pk])).content.decode()
    assert reverse("consultation:detail", args=[c.pk]) in page


def test_staff_list_filters(proposed, user, client_for):
    t = proposed()
    year = t.year
    office = user("office")
    assert services.topics_for(office, year=year, source="public").filter(source="public").count() >= 1
    assert not services.topics_for(office, year=year, source="public").exclude(source="public").exists()
    assert list(services.topics_for(office, year=year, q="口袋公园")) == [t]
    assert t not in services.topics_for(office, year=year, status="chosen")
    page = client_for("office").get(reverse("consultation:topics") + f"?year={year}&source=party_gov")
    text = page.content.decode()
    assert "河长制落实与中小河流治理" in text and t.title not in text
    page = client_for("office").get(reverse("consultation:topics") + f"?year={year}&q=口袋")
    assert t.title in page.content.decode()
    # The demo's topics are grouped and ranked.
    demo = services.topics_for(office, year=year, group="城乡建设")
    assert demo.exists() and all(x.group_label == "城乡建设" for x in demo)


def _list_queries(client, year) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("consultation:topics") + f"?year={year}")
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_queries_do_not_grow(user, client_for, county):
    office = user("office")
    year = 2031
    members = list(user("member1").member.__class__.objects.filter(organisation=county)[:5])

    def add(n, start):
        Topic.objects.bulk_create(
            [
                Topic(
                    organisation=county,
                    year=year,
                    title=f"议题{start + i}",
                    source="member" if i % 2 else "research",
                    member=members[i % len(members)] if i % 2 else None,
                    created_by=office,
                    group_label=f"组{i % 3}",
                    rank=i,
                )
                for i in range(n)
            ]
        )

    add(10, 0)
    first = Topic.objects.filter(year=year).order_by("pk").first()
    Consultation.objects.create(
        organisation=county, year=year, title="x", form="sector", topic=first, created_by=office
    )
    c = client_for("office")
    _list_queries(c, year)  # warm caches (settings, menu)
    few = _list_queries(c, year)
    add(50, 10)
    many = _list_queries(c, year)
    assert many == few, (few, many)
    # And for a member (their own topics).
    m = client_for("member1")
    _list_queries(m, year)
    few = _list_queries(m, year)
    add(20, 100)
    assert _list_queries(m, year) == few


def test_pages_for_each_role(client_for, user, county):
    year = Topic.objects.filter(organisation=county).order_by("pk").first().year
    chosen = Topic.objects.filter(organisation=county, status="chosen").order_by("pk").first()
    for username, status in (("office", 200), ("leader", 200), ("member1", 200), ("liaison", 200)):
        r = client_for(username).get(reverse("consultation:topics") + f"?year={year}")
        assert r.status_code == status, username
    text = client_for("leader").get(reverse("consultation:topics") + f"?year={year}").content.decode()
    assert chosen.title in text and "topic_arrange" not in text and 'name="rank"' not in text
    page = client_for("office").get(reverse("consultation:topic", args=[chosen.pk])).content.decode()
    assert "plan-form" in page and "decide-form" not in page
    assert client_for("office").get(reverse("consultation:calls")).status_code == 200
    assert client_for("liaison").get(reverse("consultation:plan", args=[year])).status_code == 200
    # Members see the menu entry for their own topics, staff the 协商选题 and the plan.
    from zhengxie.core.navigation import menu_for

    labels = {e["label"] for _, entries in menu_for(user("member1")) for e in entries}
    assert "我的荐题" in labels and "年度协商计划" in labels and "协商选题" not in labels
    labels = {e["label"] for _, entries in menu_for(user("office")) for e in entries}
    assert {"协商选题", "年度协商计划"} <= labels


def test_member_cannot_propose_in_another_members_name(user):
    with pytest.raises(Forbidden):
        services.propose(
            user=user("member1"),
            title="议题",
            reason="理由",
            source="member",
            member=user("member2").member.pk,
        )


def test_an_empty_topic_form_names_every_missing_field_at_once(client_for):
    """A member sending the empty 荐题 form reads both 请填写议题名称 and 请填写理由/说明 (not the title
    first and the reason on the next try); 理由 is marked required. Staff entering 党政点题 likewise."""
    c = client_for("member1")
    page = c.get(reverse("consultation:topic_create")).content.decode()
    assert '理由/说明<span class="text-danger">*</span>' in page
    r = c.post(
        reverse("consultation:topic_create"), {"title": "", "reason": "", "source": "member", "year": 2026}
    )
    body = r.content.decode()
    assert r.status_code == 422 and "请填写议题名称。" in body and "请填写理由/说明。" in body
    r = client_for("office").post(
        reverse("consultation:topic_create"),
        {"title": "", "reason": " ", "source": "party_gov", "year": 2026},
    )
    body = r.content.decode()
    assert r.status_code == 422 and "请填写议题名称。" in body and "请填写理由/说明。" in body


def test_my_topics_show_every_year_newest_first(user, client_for):
    """A member who proposes for next year's plan finds the topic in 我的荐题 straight away (the list
    used to open on this year only)."""
    year = timezone.localdate().year
    later = services.propose(
        user=user("member1"), title="下一年度的荐题", reason="理由", source="member", year=year + 1
    )
    html = client_for("member1").get(reverse("consultation:topics")).content.decode()
    assert later.title in html and '<option value="">全部年度</option>' in html
    rows = html.split('id="topic-rows"')[1]
    assert rows.index(later.title) < rows.index(f"{year}年 · ")
    # Staff still open on this year's candidates.
    assert later.title not in client_for("office").get(reverse("consultation:topics")).content.decode()
