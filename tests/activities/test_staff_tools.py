"""Staff tools beyond the main flow: inviting by group, editing a notified meeting, htmx rows, to-dos,
the reminder job."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.activities import jobs, services
from zhengxie.activities.models import Invitation
from zhengxie.core.errors import Invalid
from zhengxie.core.models import Notification, Organisation
from zhengxie.members.models import Member

from .conftest import shift


def active(org):
    return Member.objects.filter(organisation=org, status="active")


def test_invite_by_committee_liaison_group_standing_and_everyone(user, make_meeting):
    office = user("office")
    m = make_meeting(invite=(), notify=False)
    org = m.organisation
    member1 = user("member1").member
    committee = member1.committees.first()
    n = services.meeting_invite(user=office, meeting=m, committees=[committee.pk])
    assert n == active(org).filter(committees=committee).count()
    group = member1.liaison_group
    services.meeting_invite(user=office, meeting=m, liaison_groups=[group.pk])
    services.meeting_invite(user=office, meeting=m, standing=True)
    expected = (
        set(active(org).filter(committees=committee).values_list("pk", flat=True))
        | set(active(org).filter(liaison_group=group).values_list("pk", flat=True))
        | set(active(org).filter(is_standing=True).values_list("pk", flat=True))
    )
    assert set(m.invitations.values_list("member_id", flat=True)) == expected
    services.meeting_invite(user=office, meeting=m, everyone=True)
    assert m.invitations.count() == active(org).count()
    # Another county's liaison group is not ours to invite.
    foreign = Organisation.objects.filter(kind="liaison").exclude(path__startswith=org.path).first()
    if foreign is not None:
        with pytest.raises(Invalid):
            services.meeting_invite(user=office, meeting=m, liaison_groups=[foreign.pk])


def test_editing_the_time_of_a_notified_meeting_tells_invitees(client_for, make_meeting):
    m = make_meeting(minutes=60 * 24)
    new_start = timezone.localtime(m.starts_at + datetime.timedelta(days=1))
    r = client_for("office").post(
        reverse("activities:edit", args=[m.pk]),
        {
            "kind": m.kind,
            "title": m.title,
            "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (new_start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "新地点",
            "checkin_before_minutes": 30,
            "checkin_after_minutes": 30,
        },
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.place == "新地点" and m.checkin_before_minutes == 30
    assert Notification.objects.filter(user__username="member3", title__startswith="会议变更").exists()


def test_htmx_row_shows_the_error_in_place(client_for, user, make_meeting):
    m = make_meeting()
    inv = services.invitation_request_leave(user=user("member1"), meeting=m, reason="出差")
    r = client_for("office").post(
        reverse("activities:decide", args=[m.pk, inv.pk]),
        {"approve": "0", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert r.status_code == 200 and body.lstrip().startswith("<tr") and "不同意请假时请填写理由" in body
    r = client_for("office").post(
        reverse("activities:decide", args=[m.pk, inv.pk]),
        {"approve": "0", "reason": "会议重要，请务必参加"},
        HTTP_HX_REQUEST="true",
    )
    assert "未准假" in r.content.decode()
    assert Notification.objects.filter(user__username="member1", title__startswith="请假未获批准").exists()


def test_untick_and_remove(client_for, user, make_meeting):
    m = make_meeting()
    inv = m.invitations.get(member__user__username="member3")
    c = client_for("office")
    c.post(reverse("activities:attendance_set", args=[m.pk, inv.pk]), {"present": "1"})
    r = c.post(reverse("activities:invitation_remove", args=[m.pk, inv.pk]), follow=True)
    assert "已签到，不能移出" in r.content.decode()
    c.post(reverse("activities:attendance_set", args=[m.pk, inv.pk]), {"present": "0"})
    inv.refresh_from_db()
    assert inv.attendance == "" and inv.checked_in_at is None
    r = c.post(reverse("activities:invitation_remove", args=[m.pk, inv.pk]), follow=True)
    assert "移出参会名单" in r.content.decode()
    assert not Invitation.objects.filter(pk=inv.pk).exists()


def test_staff_todos(client_for, user, make_meeting):
    m = make_meeting(minutes=5)
    services.invitation_request_leave(user=user("member2"), meeting=m, reason="出差")
    home = client_for("office").get("/").content.decode()
    assert "待审批的请假申请" in home
    shift(m, 60 * 4)
    assert "已开完待归档的会议" in client_for("office").get("/").content.decode()


def test_reminder_job_reminds_once(user, make_meeting):
    m = make_meeting(minutes=60 * 24)  # within the default 2 days
    far = make_meeting(minutes=60 * 24 * 6, title="远期会议")
    services.invitation_reply(user=user("member1"), meeting=m, reply="attend")
    assert jobs.remind_pending_replies() == 2  # member2, member3
    assert jobs.remind_pending_replies() == 0
    assert (
        Notification.objects.filter(user__username="member2", title=f"请回复会议通知：{m.title}").count() == 1
    )
    assert not far.invitations.filter(reminded_at__isnull=False).exists()


def test_calendar_month_navigation_and_bad_month(client_for, make_meeting):
    c = client_for("member1")
    assert c.get("/activities/calendar/?month=2026-13").status_code == 200
    assert c.get("/activities/calendar/?month=abc").status_code == 200
    r = c.get("/activities/calendar/?month=2026-01").content.decode()
    assert "2026年1月" in r and "全体会议" in r  # the demo plenary


def test_closing_says_who_will_be_recorded_absent(make_meeting, client_for, user):
    """The 结束归档 confirmation names those not checked in and without approved leave (and those who never
    replied): closing records them as absent."""
    from zhengxie.activities import services

    from .conftest import shift

    m = make_meeting(minutes=10, invite=("member1", "member2", "member3"))
    services.invitation_reply(user=user("member1"), meeting=m, reply="attend")
    m = shift(m, 30)
    inv = m.invitations.get(member=user("member1").member)
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)
    page = client_for("office").get(f"/activities/{m.pk}/").content.decode()
    assert "2 名未回复的委员将记为缺席。" in page
