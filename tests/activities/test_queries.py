"""Lists run a constant number of queries as rows grow."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.activities import services
from zhengxie.members.models import Member


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


def grow(make_meeting, n=5):
    for i in range(n):
        make_meeting(title=f"加会{i}", minutes=60 * 24 + i * 60)  # all tomorrow: same calendar month


def test_meeting_list_and_calendar_are_constant(client_for, make_meeting, django_assert_max_num_queries):
    for who in ("office", "member1", "leader"):
        c = client_for(who)
        month = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m")
        before = {
            u: count(c, u)
            for u in (
                "/activities/",
                f"/activities/calendar/?month={month}",
                "/activities/?when=upcoming",
                "/activities/attendance/" if who != "member1" else "/activities/",
            )
        }
        grow(make_meeting)
        for url, n in before.items():
            with django_assert_max_num_queries(n):
                r = c.get(url)
            assert who == "leader" or "attendance" in url or "加会4" in r.content.decode(), url


def test_replies_list_is_constant(client_for, make_meeting, user, django_assert_max_num_queries):
    m = make_meeting()
    c = client_for("office")
    url = f"/activities/{m.pk}/replies/"
    n = count(c, url)
    more = (
        Member.objects.filter(organisation=m.organisation, status="active")
        .exclude(invitations__meeting=m)
        .values_list("pk", flat=True)[:15]
    )
    services.meeting_invite(user=user("office"), meeting=m, members=list(more))
    services.invitation_request_leave(user=user("member1"), meeting=m, reason="出差")
    services.invitation_set_attendance(user=user("office"), invitation=m.invitations.last(), present=True)
    with django_assert_max_num_queries(n):
        r = c.get(url)
    assert r.content.decode().count('<tr id="inv-') == 18


def test_api_lists_and_workbench_are_constant(
    api_for, client_for, make_meeting, django_assert_max_num_queries
):
    staff, member = api_for("office"), api_for("member1")
    m = make_meeting()
    n_staff = count(staff, "/api/v1/meetings")
    n_member = count(member, "/api/v1/meetings")
    n_inv = count(staff, f"/api/v1/meetings/{m.pk}/invitations")
    home = client_for("member1")
    n_home = count(home, "/")
    grow(make_meeting)
    with django_assert_max_num_queries(n_staff):
        staff.get("/api/v1/meetings")
    with django_assert_max_num_queries(n_member):
        member.get("/api/v1/meetings")
    with django_assert_max_num_queries(n_inv):
        staff.get(f"/api/v1/meetings/{m.pk}/invitations")
    with django_assert_max_num_queries(n_home):
        home.get("/")
