"""界别召集人, 委员小组 and 履职承诺 (issue 15): who may manage them, what they are used for (invitees, ranking
scope, collective proposals), and the pledge set beside the year's duty records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import AuditEntry, Notification, Office, Organisation, Role, User
from zhengxie.members import services_groups as services
from zhengxie.members.models import GroupMembership, Member, MemberGroup, Pledge, Sector, SectorConvener
from zhengxie.performance import acts as A
from zhengxie.performance.services import recompute_now, record_act

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def actives(county):
    """Active members of 青川县 other than member1..3, in id order."""
    return list(
        Member.objects.filter(organisation=county, status="active")
        .exclude(user__username__in=["member1", "member2", "member3"])
        .select_related("user")
        .order_by("id")
    )


@pytest.fixture
def staff2(db):
    """An office worker of 石门区 (another county)."""
    u = User.objects.create(
        username="staff_sm",
        name="石门区工作人员",
        organisation=Organisation.objects.get(code="demo-county-2"),
    )
    u.office = Office.GENERAL
    u.save()
    u.set_roles([Role.STAFF])
    return u


def _group(user, county, members, name="测试委员小组", committee=None):
    return services.group_create(
        user=user,
        organisation=county,
        name=name,
        leader=members[0].pk,
        member_ids=[m.pk for m in members],
        committee=committee,
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries), r


# --- managing groups and conveners -----------------------------------------------------------------------


def test_staff_set_up_a_group_on_the_page_the_members_are_told_and_it_is_audited(
    client_for, user, county, actives
):
    c = client_for("office")
    r = c.get(reverse("members:group_new"))
    assert r.status_code == 200 and "设立委员小组" in r.content.decode()
    picked = actives[:3]
    r = c.post(
        reverse("members:group_new"),
        {
            "name": "营商环境委员小组",
            "committee": "",
            "leader": picked[0].pk,
            "members": [m.pk for m in picked[1:]],
        },
    )
    assert r.status_code == 302
    g = MemberGroup.objects.get(organisation=county, name="营商环境委员小组")
    assert g.leader == picked[0] and g.committee is None
    assert set(g.members.values_list("pk", flat=True)) == {m.pk for m in picked}  # the leader is a member
    assert AuditEntry.objects.filter(action="members.group_create", target_id=str(g.pk)).exists()
    assert Notification.objects.filter(user=picked[1].user, title__contains="营商环境委员小组").exists()
    body = c.get(reverse("members:groups")).content.decode()
    assert "营商环境委员小组" in body and "全会" in body
    # the same name again: said next to the field, what was typed kept
    r = c.post(reverse("members:group_new"), {"name": "营商环境委员小组", "leader": picked[0].pk})
    assert r.status_code == 200
    assert "本会已有名为「营商环境委员小组」的委员小组" in r.content.decode()
    assert 'value="营商环境委员小组"' in r.content.decode()


def test_a_group_inside_a_committee_takes_only_that_committees_members(user, county, actives):
    from zhengxie.members.models import SpecialCommittee

    committee = SpecialCommittee.objects.filter(organisation=county).first()
    inside = [m for m in actives if committee in m.committees.all()][:2]
    outside = next(m for m in actives if committee not in m.committees.all())
    with pytest.raises(services.Invalid, match=f"须为{committee.name}委员"):
        _group(user("office"), county, [*inside, outside], committee=committee.pk)
    g = _group(user("office"), county, inside, committee=committee.pk)
    assert g.scope_label == committee.name


def test_conveners_must_be_members_of_the_sector(client_for, user, county):
    sector = Sector.objects.filter(organisation=county, member__status="active").distinct().first()
    mine = list(Member.objects.filter(sector=sector, status="active")[:2])
    stranger = Member.objects.filter(organisation=county, status="active").exclude(sector=sector).first()
    c = client_for("office")
    r = c.post(reverse("members:sector_conveners", args=[sector.pk]), {"members": [m.pk for m in mine]})
    assert r.status_code == 302
    assert set(SectorConvener.objects.filter(sector=sector).values_list("member_id", flat=True)) == {
        m.pk for m in mine
    }
    assert AuditEntry.objects.filter(action="members.sector_conveners", target_id=str(sector.pk)).exists()
    with pytest.raises(services.Invalid, match="召集人须为本界别委员"):
        services.sector_conveners_set(user=user("office"), sector=sector, member_ids=[stranger.pk])


def test_members_cannot_manage_groups_and_other_counties_staff_get_404(
    client_for, api_for, user, county, actives, staff2
):
    g = _group(user("office"), county, actives[:2])
    sector = Sector.objects.filter(organisation=county).first()
    for page in (
        reverse("members:groups"),
        reverse("members:group_new"),
        reverse("members:group_edit", args=[g.pk]),
    ):
        assert client_for("member1").get(page).status_code == 404
    m1 = api_for("member1")
    r = m1.post(
        "/api/v1/member-groups",
        {"name": "我的小组", "leader_id": actives[0].pk},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["detail"]
    r = m1.put(
        f"/api/v1/member-groups/{g.pk}",
        {"name": "改名", "leader_id": actives[0].pk},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert m1.delete(f"/api/v1/member-groups/{g.pk}").status_code == 403
    r = m1.put(f"/api/v1/sectors/{sector.pk}/conveners", {"member_ids": []}, content_type="application/json")
    assert r.status_code == 403
    # 石门区's staff do not see 青川县's groups or sectors at all
    other = Client_for_user(staff2)
    assert other.get(reverse("members:group_edit", args=[g.pk])).status_code == 404
    assert other.post(reverse("members:group_delete", args=[g.pk])).status_code == 404
    assert other.get(reverse("members:sector_conveners", args=[sector.pk])).status_code == 404
    assert MemberGroup.objects.filter(pk=g.pk, name="测试委员小组").exists()
    # the API: staff of the county manage; the member may read
    staff_api = api_for("office")
    r = staff_api.put(
        f"/api/v1/member-groups/{g.pk}",
        {"name": "测试委员小组（调整）", "leader_id": actives[1].pk, "member_ids": [actives[2].pk]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["leader"]["id"] == actives[1].pk
    assert {m["id"] for m in r.json()["members"]} == {actives[1].pk, actives[2].pk}
    assert m1.get(f"/api/v1/member-groups/{g.pk}").status_code == 200
    assert api_for("other").get(f"/api/v1/member-groups/{g.pk}").status_code == 404
    assert staff_api.delete(f"/api/v1/member-groups/{g.pk}").status_code == 204
    assert AuditEntry.objects.filter(action="members.group_delete", target_id=str(g.pk)).exists()


def Client_for_user(u):
    from django.test import Client

    c = Client()
    c.force_login(u)
    return c


def test_groups_page_query_count_does_not_grow(
    client_for, user, county, actives, django_assert_max_num_queries
):
    c = client_for("office")
    _group(user("office"), county, actives[:3], name="小组甲")
    first, _ = _queries(c, reverse("members:groups"))
    for i in range(4):
        _group(user("office"), county, actives[3 + 3 * i : 6 + 3 * i], name=f"小组{i}")
    services.sector_conveners_set(user=user("office"), sector=actives[0].sector, member_ids=[actives[0].pk])
    with django_assert_max_num_queries(first):
        assert "小组3" in c.get(reverse("members:groups")).content.decode()


# --- used as invitees, ranking scope, senders of collective proposals -----------------------------------


def test_inviting_a_group_invites_exactly_its_active_members(user, county, actives, api_for):
    from zhengxie.activities import services as meetings
    from zhengxie.activities.models import Invitation

    g = _group(user("office"), county, actives[:4])
    Member.objects.filter(pk=actives[3].pk).update(status="suspended")
    start = timezone.now() + datetime.timedelta(days=3)
    m = meetings.meeting_create(
        user=user("office"),
        kind="sector_activity",
        title="小组活动",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
    )
    n = meetings.meeting_invite(user=user("office"), meeting=m, groups=[g.pk])
    assert n == 3
    assert set(Invitation.objects.filter(meeting=m).values_list("member_id", flat=True)) == {
        a.pk for a in actives[:3]
    }
    # through the API too; a group of another county is refused
    other_group = MemberGroup.objects.create(
        organisation=Organisation.objects.get(code="demo-county-2"),
        name="外县小组",
        leader=Member.objects.get(user__username="other"),
    )
    r = api_for("office").post(
        f"/api/v1/meetings/{m.pk}/invite", {"group_ids": [other_group.pk]}, content_type="application/json"
    )
    assert r.status_code == 422 and "委员小组" in r.json()["detail"]


def test_invite_page_offers_the_groups_and_a_pick_expands_them(client_for, user, county, actives):
    from zhengxie.activities import services as meetings
    from zhengxie.activities.models import Invitation

    g = _group(user("office"), county, actives[4:7], name="青年小组测试")
    start = timezone.now() + datetime.timedelta(days=3)
    m = meetings.meeting_create(
        user=user("office"),
        kind="sector_activity",
        title="小组活动",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
    )
    c = client_for("office")
    page = c.get(reverse("activities:invite", args=[m.pk])).content.decode()
    assert "按委员小组" in page and "青年小组测试" in page
    r = c.post(reverse("activities:invite", args=[m.pk]), {"groups": [g.pk]})
    assert r.status_code == 302
    assert Invitation.objects.filter(meeting=m).count() == 3


def test_rankings_by_group(client_for, api_for, user, county, actives):
    year = 2031
    g = _group(user("office"), county, actives[:3], name="排名小组")
    for i, m in enumerate(actives[:5]):
        for j in range(i + 1):
            record_act(
                member=m, act=A.INSPECTION, source=actives[10 + j], occurred_on=datetime.date(year, 3, 1)
            )
    recompute_now(organisation=county, year=year)
    data = api_for("staff").get(f"/api/v1/rankings?year={year}&by=group&group={g.pk}").json()
    assert {i["member_id"] for i in data["items"]} == {m.pk for m in actives[:3]}
    assert [i["rank"] for i in data["items"]] == [1, 2, 3]
    body = (
        client_for("leader").get(reverse("performance:rankings") + f"?year={year}&by=group").content.decode()
    )
    assert "按委员小组" in body and "排名小组" in body


def test_a_group_leader_and_a_convener_send_a_collective_proposal_in_their_bodys_name(
    api_for, user, county, actives
):
    leader, convener, plain = actives[0], actives[5], actives[6]
    _group(user("office"), county, [leader, actives[1]], name="乡村振兴委员小组")
    SectorConvener.objects.filter(member__in=[leader, plain]).delete()
    MemberGroup.objects.filter(leader=plain).delete()
    services.sector_conveners_set(
        user=user("office"),
        sector=convener.sector,
        member_ids=[convener.pk],
    )
    body = {"title": "关于加快乡村道路建设的提案", "category": "农业农村", "kind": "collective"}
    r = api_for(leader.user.username).post(
        "/api/v1/proposals", body | {"collective_body": "乡村振兴委员小组"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "collective" and r.json()["collective_body"] == "乡村振兴委员小组"
    sector_name = convener.sector.name
    expected = f"{sector_name}别" if sector_name.endswith("界") else f"{sector_name}界别"
    r = api_for(convener.user.username).post(
        "/api/v1/proposals", body | {"collective_body": expected}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    # not one's own body: 422 naming the bodies; a member with none: 403
    r = api_for(leader.user.username).post(
        "/api/v1/proposals", body | {"collective_body": "民革"}, content_type="application/json"
    )
    assert r.status_code == 422 and "乡村振兴委员小组" in r.json()["detail"]
    r = api_for(plain.user.username).post(
        "/api/v1/proposals", body | {"collective_body": "乡村振兴委员小组"}, content_type="application/json"
    )
    assert r.status_code == 403


# --- 履职承诺 ---------------------------------------------------------------------------------------------


def test_member_writes_a_pledge_and_sees_it_beside_what_was_done(client_for, user, county, actives):
    m1 = Member.objects.get(user__username="member1")
    Pledge.objects.filter(member=m1).delete()
    c = client_for("member1")
    archive = reverse("performance:member", args=[m1.pk]) + f"?year={THIS_YEAR}"
    assert "您还没有填写" in c.get(archive).content.decode()
    url = reverse("members:pledge_edit", args=[m1.pk, THIS_YEAR])
    r = c.post(url, {"text": "", "target_proposals": "-1"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "此项为必填项" in page and "不能小于 0" in page
    r = c.post(
        url,
        {"text": "提交提案不少于2件，参加活动不少于4次", "target_proposals": "2", "target_activities": "4"},
    )
    assert r.status_code == 302
    p = Pledge.objects.get(member=m1, year=THIS_YEAR)
    assert p.target_proposals == 2 and p.target_opinions is None and p.written_by.username == "member1"
    assert AuditEntry.objects.filter(action="members.pledge_save", target_id=str(p.pk)).exists()
    # what was done this year: 3 proposals submitted, 1 activity
    today = timezone.localdate()
    before = _progress(c, archive)
    for i in range(3):
        record_act(member=m1, act=A.PROPOSAL_SUBMIT, source=actives[20 + i], occurred_on=today)
    record_act(member=m1, act=A.INSPECTION, source=actives[20], occurred_on=today)
    after = _progress(c, archive)
    assert after["proposals"] == before["proposals"] + 3
    assert after["activities"] == before["activities"] + 1
    data = api_for_user_json(user("member1"), f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR}")
    rows = {r["kind"]: r for r in data["progress"]}
    assert (
        data["pledged"]
        and rows["proposals"]["target"] == 2
        and rows["proposals"]["done"] == after["proposals"]
    )
    assert rows["proposals"]["met"] is True
    assert rows["activities"]["met"] is (after["activities"] >= 4)
    assert rows["opinions"]["target"] is None and rows["opinions"]["met"] is None


def _progress(client, url) -> dict:
    from zhengxie.performance.selectors_pledges import actuals

    m1 = Member.objects.get(user__username="member1")
    assert client.get(url).status_code == 200
    return actuals([m1.pk], THIS_YEAR)[m1.pk]


def api_for_user_json(u, url):
    from django.test import Client

    from zhengxie.core.models import ApiToken

    r = Client(headers={"Authorization": f"Bearer {ApiToken.issue(u)}"}).get(url)
    assert r.status_code == 200, r.content
    return r.json()


def test_pledge_permissions(client_for, api_for, user, county, staff2):
    m1 = Member.objects.get(user__username="member1")
    m2 = Member.objects.get(user__username="member2")
    payload = {"text": "代写的承诺", "target_proposals": 1}
    # another member: invisible
    assert (
        client_for("member2").get(reverse("members:pledge_edit", args=[m1.pk, THIS_YEAR])).status_code == 404
    )
    r = api_for("member2").put(
        f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR}", payload, content_type="application/json"
    )
    assert r.status_code == 404
    # another county's staff: invisible
    assert (
        Client_for_user(staff2).get(reverse("members:pledge_edit", args=[m1.pk, THIS_YEAR])).status_code
        == 404
    )
    # the city's staff read but do not write for a county member; the leader reads only
    r = api_for("citystaff").put(
        f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR}", payload, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["detail"]
    assert api_for("leader").get(f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR}").status_code == 200
    assert (
        api_for("leader")
        .put(f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR}", payload, content_type="application/json")
        .status_code
        == 403
    )
    # a year far away: 422
    r = api_for("member1").put(
        f"/api/v1/members/{m1.pk}/pledges/{THIS_YEAR - 5}", payload, content_type="application/json"
    )
    assert r.status_code == 422
    # the county's staff write on member2's behalf, who is told
    r = api_for("office").put(
        f"/api/v1/members/{m2.pk}/pledges/{THIS_YEAR}", payload, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["text"] == "代写的承诺"
    assert Notification.objects.filter(user=m2.user, title__contains="代您填写").exists()
    assert Pledge.objects.get(member=m2, year=THIS_YEAR).written_by.username == "office"


def test_staff_list_of_pledges_counts_and_query_count(
    client_for, user, county, actives, django_assert_max_num_queries
):
    Pledge.objects.filter(organisation=county, year=THIS_YEAR).delete()
    office = user("office")
    today = timezone.localdate()
    services.pledge_save(user=office, member=actives[0], year=THIS_YEAR, text="甲", target_proposals=1)
    record_act(member=actives[0], act=A.PROPOSAL_SUBMIT, source=actives[-1], occurred_on=today)
    services.pledge_save(user=office, member=actives[1], year=THIS_YEAR, text="乙", target_proposals=5)
    c = client_for("staff")
    url = reverse("members:pledges") + f"?year={THIS_YEAR}"
    first, r = _queries(c, url)
    body = r.content.decode()
    assert 'id="count-pledged">2 人' in body and 'id="count-met">1 人' in body
    met = c.get(url + "&status=met").content.decode()
    assert actives[0].name in met and actives[1].name not in met
    unmet = c.get(url + "&status=unmet").content.decode()
    assert actives[1].name in unmet and actives[0].name not in unmet
    for i in range(2, 8):
        services.pledge_save(user=office, member=actives[i], year=THIS_YEAR, text="丙", target_activities=2)
        record_act(member=actives[i], act=A.INSPECTION, source=actives[-2], occurred_on=today)
    with django_assert_max_num_queries(first):
        assert c.get(url).status_code == 200
    assert client_for("member1").get(url).status_code == 404


def test_archive_shows_groups_and_pledge_with_constant_queries(
    client_for, user, county, actives, django_assert_max_num_queries
):
    m1 = Member.objects.get(user__username="member1")
    c = client_for("member1")
    url = reverse("performance:member", args=[m1.pk]) + f"?year={THIS_YEAR}"
    first, r = _queries(c, url)
    body = r.content.decode()
    assert 'id="member-places"' in body and 'id="pledge"' in body
    g = _group(user("office"), county, [actives[0], m1], name="档案小组")
    _group(user("office"), county, [m1, actives[1]], name="档案小组二")
    services.pledge_save(user=user("member1"), member=m1, year=THIS_YEAR, text="我的承诺", target_opinions=1)
    with django_assert_max_num_queries(first):
        body = c.get(url).content.decode()
    assert "档案小组" in body and "组长" in body and "我的承诺" in body and "报送社情民意" in body
    assert GroupMembership.objects.filter(group=g, member=m1).exists()
    # each group counts its active members, not the member alone (every group read 1 人)
    assert "档案小组 <span" in body and "（全会，2 人，组长 " in body
    n = GroupMembership.objects.filter(group__name="档案小组二", member__status="active").count()
    assert n == 2 and body.count("，2 人") >= 2


def test_archive_names_a_convened_sector_as_its_body(client_for, user, county):
    """A convener of 文化艺术界 reads 文化艺术界别 (it read 文化艺术界界别), the name of its collective proposals."""
    sector = Sector.objects.filter(organisation=county, name__endswith="界").first()
    m = Member.objects.filter(sector=sector, status="active").select_related("user").first()
    services.sector_conveners_set(user=user("staff"), sector=sector, member_ids=[m.pk])
    body = client_for(m.user.username).get(reverse("performance:member", args=[m.pk])).content.decode()
    assert f"</span> {sector.name}别</div>" in body and f"{sector.name}界别" not in body
