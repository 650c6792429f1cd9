"""Issue #13 (large pickers), 委员小组 and 界别召集人: a committee of a 政协云 has hundreds of members, and the
组长 / 成员 / 召集人 boxes wrote every one of them into the page. Beyond core.pickers.SMALL choices they are
searchable boxes asking /pick/members/ (only the committee's active members, only for whoever may manage
its groups; the conveners' box only the sector's), whatever their number the page keeps its size and its
queries; a forged id of another county's member is refused by the service in Chinese."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.core import pickers
from zhengxie.core.models import Organisation, User
from zhengxie.members import services_groups as services
from zhengxie.members.models import GroupMembership, Member, MemberGroup, Sector, SectorConvener

PICK = reverse("core:picker", args=["members"])


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def sector(county):
    return (
        Sector.objects.filter(organisation=county, member__status="active").distinct().order_by("pk").first()
    )


def _many(org, sector, n, start=0, prefix="规模委员"):
    users = [
        User(username=f"pk{org.pk}_{start + i}", name=f"{prefix}{start + i:04d}", organisation=org)
        for i in range(n)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users)
    saved = User.objects.filter(username__in=[u.username for u in users])
    Member.objects.bulk_create(
        Member(user=u, organisation=org, name=u.name, gender="M", sector=sector) for u in saved
    )


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries), r.content.decode()


def _group(user, county, members, name="规模测试小组"):
    return services.group_create(
        user=user, organisation=county, name=name, leader=members[0].pk, member_ids=[m.pk for m in members]
    )


def test_group_and_convener_pages_keep_their_size_and_queries_with_many_members(
    client_for, user, county, sector
):
    _many(county, sector, 200)
    chosen = list(Member.objects.filter(organisation=county, name__startswith="规模委员").order_by("pk")[:3])
    g = _group(user("office"), county, chosen)
    c = client_for("office")
    pages = [
        reverse("members:group_new"),
        reverse("members:group_edit", args=[g.pk]),
        reverse("members:sector_conveners", args=[sector.pk]),
    ]
    before = {p: _get(c, p) for p in pages}
    _many(county, sector, 600, start=200)
    for p in pages:
        n, html = _get(c, p)
        assert n <= before[p][0], (p, before[p][0], n)
        assert len(html) <= len(before[p][1]) + 200, (p, len(before[p][1]), len(html))
        assert len(html.encode()) < 60_000, (p, len(html.encode()))
        assert html.count("<option") < 40, p
        assert f'data-picker="{PICK}' in html
    # the edit page still shows who is in the group, named as everywhere (姓名（界别）)
    _, html = _get(c, pages[1])
    members = re.search(r'<select name="members".*?</select>', html, re.S).group(0)
    for m in chosen:
        assert f'<option value="{m.pk}" selected>{m.name}（{sector.name}）</option>' in members
    assert "multiple" in members
    leader = re.search(r'<input name="leader"[^>]*>', html).group(0)
    assert f'data-picker-value="{chosen[0].pk}"' in leader and f"{chosen[0].name}（{sector.name}）" in leader
    # the conveners' box asks for the sector's members only
    _, html = _get(c, pages[2])
    assert f'data-picker="{PICK}?sector={sector.pk}"' in html


def test_the_member_picker_offers_only_the_active_members_its_user_may_group(
    client_for, user, county, sector
):
    _many(county, sector, 200)
    other = Organisation.objects.get(code="demo-county-2")
    _many(other, Sector.objects.filter(organisation=other).first(), 3, prefix="邻县委员")
    gone = Member.objects.get(name="规模委员0007")
    gone.status = Member.Status.EXITED
    gone.save(update_fields=["status"])
    office = client_for("office")
    with CaptureQueriesContext(connection) as ctx:
        data = office.get(PICK, {"q": "规模委员000"}).json()
    assert len(ctx.captured_queries) <= 3, [q["sql"] for q in ctx.captured_queries]
    names = [i["text"] for i in data["items"]]
    assert len(names) == 9 and "规模委员0007（" not in "".join(names)
    assert all(t.startswith("规模委员000") and t.endswith(f"（{sector.name}）") for t in names)
    assert office.get(PICK, {"q": "规模委员"}).json()["more"] is True
    assert office.get(PICK, {"q": "邻县委员"}).json()["items"] == []
    # a member, and a neighbour county's office, get nothing of this committee
    assert client_for("member1").get(PICK, {"q": "规模委员"}).json()["items"] == []
    # the conveners' box: the sector's members only; a sector of another county gives nothing
    another = Sector.objects.filter(organisation=county).exclude(pk=sector.pk).first()
    in_other = office.get(PICK, {"q": "", "sector": another.pk}).json()["items"]
    assert in_other and not any(i["text"].startswith("规模委员") for i in in_other)
    foreign = Sector.objects.filter(organisation=other).first()
    assert office.get(PICK, {"q": "邻县委员", "sector": foreign.pk}).json()["items"] == []
    assert office.get(PICK, {"sector": "x"}).json()["items"] == []


def test_a_forged_member_of_another_county_is_refused_in_chinese(client_for, user, county, sector):
    other = Organisation.objects.get(code="demo-county-2")
    _many(other, Sector.objects.filter(organisation=other).first(), 2, prefix="邻县委员")
    stranger = Member.objects.get(name="邻县委员0000")
    mine = list(Member.objects.filter(organisation=county, status="active").order_by("pk")[:2])
    office = user("office")
    with pytest.raises(services.Invalid, match="所选成员须为本会在任委员"):
        _group(office, county, [*mine, stranger])
    with pytest.raises(services.Invalid, match="所选组长须为本会在任委员"):
        _group(office, county, [stranger, *mine])
    with pytest.raises(services.Invalid, match="所选召集人须为本会在任委员"):
        services.sector_conveners_set(user=office, sector=sector, member_ids=[stranger.pk])
    assert not MemberGroup.objects.filter(name="规模测试小组").exists()
    assert not SectorConvener.objects.filter(member=stranger).exists()
    # the page refuses it too, by the field, and keeps what was typed
    r = client_for("office").post(
        reverse("members:group_new"),
        {"name": "伪造小组", "leader": mine[0].pk, "members": [mine[1].pk, stranger.pk]},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "所选委员无效或不在您的范围内" in html and 'value="伪造小组"' in html
    assert not GroupMembership.objects.filter(member=stranger).exists()


def test_without_javascript_names_typed_into_the_box_are_found(client_for, county, sector):
    _many(county, sector, 200)
    c = client_for("office")
    r = c.post(
        reverse("members:group_new"),
        {"name": "手输小组", "leader": "规模委员0150", "members": ["规模委员0151、规模委员0152"]},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    g = MemberGroup.objects.get(name="手输小组")
    assert g.leader.name == "规模委员0150"
    assert set(g.members.values_list("name", flat=True)) == {"规模委员0150", "规模委员0151", "规模委员0152"}
    r = c.post(reverse("members:group_new"), {"name": "手输小组二", "leader": "规模委员01", "members": []})
    assert "名称含“规模委员01”的委员不止一个" in r.content.decode()
    r = c.post(
        reverse("members:group_new"),
        {"name": "手输小组二", "leader": "规模委员0150", "members": ["查无此人"]},
    )
    assert "没有找到名称含“查无此人”的委员" in r.content.decode()


def test_a_county_with_few_members_keeps_its_plain_select(client_for):
    html = client_for("office").get(reverse("members:group_new")).content.decode()
    assert re.search(r'<select name="members"[^>]*multiple', html) and "data-picker" not in html
    assert pickers.SMALL >= Member.objects.filter(organisation__code="demo-county", status="active").count()
