"""Every list page and API list runs a fixed number of SQL queries however many rows it shows.

Each test measures a list showing one row (or the demo's rows), adds 20 more, and asserts that the
number of queries does not grow.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.core.models import HandlingUnit, Organisation, Role, User
from zhengxie.members.models import Member, Party, Sector, Session, SpecialCommittee, Term


def _queries(client, url, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200, url
    return len(ctx.captured_queries), r


def _assert_constant(client, url, add, django_assert_max_num_queries, shown=None, **params):
    before, r1 = _queries(client, url, **params)
    add()
    with django_assert_max_num_queries(before):
        r2 = client.get(url, params)
    assert r2.status_code == 200
    if shown is not None:
        assert shown(r2) > shown(r1), "the list should show more rows after adding some"


def _members(world, n, prefix="查询测试", start=0):
    users = [
        User(
            username=f"qt{start + i}",
            name=f"{prefix}{start + i}",
            organisation=world.county,
            phone=f"136{start + i:08d}",
        )
        for i in range(n)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users)
    saved = User.objects.filter(username__in=[u.username for u in users])
    members = Member.objects.bulk_create(
        [
            Member(
                user=u,
                organisation=world.county,
                term=world.term,
                name=u.name,
                gender="M",
                sector=world.sector,
                party=world.party,
                liaison_group=world.town,
                phone=u.phone,
                id_number="510812198001010011",
            )
            for u in saved
        ]
    )
    through = Member.committees.through
    through.objects.bulk_create(
        [through(member_id=m.pk, specialcommittee_id=world.committee.pk) for m in members]
    )
    g = Group.objects.get(name=Role.MEMBER)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=g.pk) for u in saved])


def _rows(r, marker):
    return r.content.decode().count(marker)


@pytest.mark.parametrize("username", ["admin", "staff", "liaison"])
def test_roster_page(world, client_for, django_assert_max_num_queries, username):
    _members(world, 1)
    _assert_constant(
        client_for(username),
        "/manage/members/",
        lambda: _members(world, 19, start=1),
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试"),
        q="查询测试",
    )


def test_roster_export(world, client_for, django_assert_max_num_queries):
    _members(world, 1)
    _assert_constant(
        client_for("admin"),
        "/manage/members/export/",
        lambda: _members(world, 20, start=1),
        django_assert_max_num_queries,
        shown=lambda r: len(r.content),
        q="查询测试",
    )


@pytest.mark.parametrize("username", ["member1", "staff", "liaison", "admin"])
def test_members_api(world, api_for, django_assert_max_num_queries, username):
    _members(world, 1)
    _assert_constant(
        api_for(username),
        "/api/v1/members",
        lambda: _members(world, 19, start=1),
        django_assert_max_num_queries,
        shown=lambda r: len(r.json()["items"]),
        q="查询测试",
    )


def test_member_detail_api(world, api_for, django_assert_max_num_queries):
    c = api_for("staff")
    before, _ = _queries(c, f"/api/v1/members/{world.member1.pk}")
    world.member1.committees.set(SpecialCommittee.objects.filter(organisation=world.county))
    with django_assert_max_num_queries(before):
        c.get(f"/api/v1/members/{world.member1.pk}")


def _units(world, n, start=0):
    HandlingUnit.objects.bulk_create(
        [
            HandlingUnit(organisation=world.county, name=f"查询测试单位{start + i}", order=100 + start + i)
            for i in range(n)
        ]
    )


def test_units_page_and_api(world, client_for, api_for, django_assert_max_num_queries):
    _units(world, 1)
    _assert_constant(
        client_for("admin"),
        "/manage/units/",
        lambda: _units(world, 9, start=1),
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试单位"),
        q="查询测试",
    )
    _assert_constant(
        api_for("staff"),
        "/api/v1/units",
        lambda: _units(world, 10, start=10),
        django_assert_max_num_queries,
        shown=lambda r: len(r.json()["items"]),
        q="查询测试",
    )


def test_unit_detail_with_handlers(world, client_for, django_assert_max_num_queries):
    def add():
        users = [
            User(
                username=f"uh{i}",
                name=f"查询测试经办人{i}",
                organisation=world.county,
                handling_unit=world.unit,
            )
            for i in range(20)
        ]
        for u in users:
            u.set_unusable_password()
        User.objects.bulk_create(users)
        g = Group.objects.get(name=Role.UNIT_HANDLER)
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=u.pk, group_id=g.pk)
                for u in User.objects.filter(username__startswith="uh")
            ]
        )

    _assert_constant(
        client_for("admin"),
        f"/manage/units/{world.unit.pk}/",
        add,
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试经办人"),
    )


def _users(world, n, start=0):
    users = [
        User(
            username=f"qu{start + i}",
            name=f"查询测试用户{start + i}",
            organisation=world.county,
            phone=f"135{start + i:08d}",
        )
        for i in range(n)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users)
    g = Group.objects.get_or_create(name=Role.STAFF)[0]
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=u.pk, group_id=g.pk)
            for u in User.objects.filter(username__in=[u.username for u in users])
        ]
    )


@pytest.mark.parametrize("username", ["admin", "secadmin"])
def test_users_page(world, client_for, django_assert_max_num_queries, username):
    _users(world, 1)
    _assert_constant(
        client_for(username),
        "/manage/users/",
        lambda: _users(world, 19, start=1),
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试用户"),
        q="查询测试",
    )


def _towns(world, n, start=0):
    for i in range(start, start + n):
        county = Organisation.objects.get(pk=world.county.pk)
        county.add_child(name=f"查询测试镇{i}", kind="liaison", code=f"qt-town-{i}")


def test_org_tree_page(world, client_for, django_assert_max_num_queries):
    _assert_constant(
        client_for("admin"),
        "/manage/orgs/",
        lambda: _towns(world, 20),
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试镇"),
    )


def test_organisations_api(world, api_for, django_assert_max_num_queries):
    _towns(world, 1)
    _assert_constant(
        api_for("staff"),
        "/api/v1/organisations",
        lambda: _towns(world, 19, start=1),
        django_assert_max_num_queries,
        shown=lambda r: len(r.json()["items"]),
        q="查询测试",
    )
    items = api_for("staff").get("/api/v1/organisations", {"q": "查询测试"}).json()["items"]
    assert len(items) == 20 and all(o["parent_id"] == world.county.pk for o in items)


def test_terms_page(world, client_for, django_assert_max_num_queries):
    def add():
        for n in range(20):
            term = Term.objects.create(
                organisation=world.county,
                number=100 + n,
                name=f"查询测试届{n}",
                start_date=datetime.date(2000, 1, 1),
            )
            Session.objects.create(
                term=term,
                organisation=world.county,
                number=1,
                name=f"查询测试会{n}",
                year=2000,
                start_date=datetime.date(2000, 1, 1),
                end_date=datetime.date(2000, 1, 2),
            )

    _assert_constant(
        client_for("admin"),
        "/manage/terms/",
        add,
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试会"),
    )


@pytest.mark.parametrize("kind", ["sectors", "committees", "parties"])
def test_ordered_lists(world, client_for, api_for, django_assert_max_num_queries, kind):
    def add():
        if kind == "parties":
            Party.objects.bulk_create([Party(name=f"查询测试{i}", order=100 + i) for i in range(20)])
        else:
            model = Sector if kind == "sectors" else SpecialCommittee
            model.objects.bulk_create(
                [model(organisation=world.county, name=f"查询测试{i}", order=100 + i) for i in range(20)]
            )

    _assert_constant(
        client_for("admin"),
        f"/manage/{kind}/",
        add,
        django_assert_max_num_queries,
        shown=lambda r: _rows(r, "查询测试"),
    )


@pytest.mark.parametrize(
    "route,model", [("/api/v1/sectors", Sector), ("/api/v1/committees", SpecialCommittee)]
)
def test_reference_api_lists(world, api_for, django_assert_max_num_queries, route, model):
    model.objects.create(organisation=world.county, name="查询测试0", order=100)
    _assert_constant(
        api_for("member1"),
        route,
        lambda: model.objects.bulk_create(
            [model(organisation=world.county, name=f"查询测试{i}", order=100 + i) for i in range(1, 20)]
        ),
        django_assert_max_num_queries,
        shown=lambda r: len(r.json()["items"]),
        q="查询测试",
    )
