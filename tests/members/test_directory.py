"""委员名录 (issue 15): members see their fellow members' public facts — never a phone number, ID number or
address — only in their own committee, in constant queries."""

import pytest

from zhengxie.members.models import Member

pytestmark = pytest.mark.django_db


def test_member_sees_fellow_members_without_private_data(client_for, user):
    c = client_for("member1")
    assert "/members/directory/" in c.get("/").content.decode()
    body = c.get("/members/directory/").content.decode()
    fellows = Member.objects.filter(organisation=user("member1").organisation, status="active")[:5]
    for m in fellows:
        assert m.name in body
        assert m.phone not in body and (m.user.phone or "@@") not in body
        if m.id_number:
            assert m.id_number not in body
        if m.address:
            assert m.address not in body
    m2 = user("member2").member
    body = c.get("/members/directory/", {"q": m2.name}).content.decode()
    assert m2.name in body and m2.sector.name in body


def test_other_county_and_non_members(client_for, user):
    body = client_for("other").get("/members/directory/").content.decode()
    assert user("member1").member.name not in body
    assert client_for("handler1").get("/members/directory/").status_code == 404


def test_queries_constant(client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("member1")
    with CaptureQueriesContext(connection) as ctx:
        c.get("/members/directory/", {"page": 1})
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert c.get("/members/directory/", {"page": 2}).status_code == 200
