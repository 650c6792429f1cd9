"""Bad input and illegal states: a clear Chinese message or a 4xx, and nothing counted twice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from zhengxie.activities import services
from zhengxie.activities.models import Invitation, Meeting
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry

from .conftest import duty, shift


def checkin_url(meeting, token=None):
    return reverse("activities:checkin", args=[meeting.pk, token or services.checkin_token(meeting)])


def test_checking_in_twice_is_answered_and_counted_once(client_for, make_meeting):
    m = make_meeting()
    c = client_for("member1")
    assert "签到成功" in c.get(checkin_url(m)).content.decode()
    first = Invitation.objects.get(meeting=m, member__user__username="member1").checked_in_at
    r = c.get(checkin_url(m))
    assert r.status_code == 200 and "无需重复签到" in r.content.decode()
    inv = Invitation.objects.get(meeting=m, member__user__username="member1")
    assert inv.checked_in_at == first
    assert AuditEntry.objects.filter(action="activities.check_in", target_id=str(inv.pk)).count() == 1


def test_a_member_not_invited_is_refused_clearly(client_for, make_meeting):
    m = make_meeting(invite=("member1",))
    r = client_for("member2").get(checkin_url(m))
    assert r.status_code == 403 and "不在本次会议的邀请名单中" in r.content.decode()
    assert not Invitation.objects.filter(meeting=m, member__user__username="member2").exists()
    # Another county's member does not even learn that the meeting exists.
    assert client_for("other").get(checkin_url(m)).status_code == 404


def test_check_in_only_ever_touches_the_requesters_own_invitation(client_for, make_meeting):
    m = make_meeting()
    client_for("member2").get(checkin_url(m))
    states = dict(m.invitations.values_list("member__user__username", "attendance"))
    assert states == {"member1": "", "member2": "present", "member3": ""}


def test_check_in_outside_the_window(client_for, make_meeting):
    early = make_meeting(minutes=3 * 60)  # window opens 60 minutes before the start
    r = client_for("member1").get(checkin_url(early))
    assert r.status_code == 409 and "签到尚未开始" in r.content.decode()
    late = shift(make_meeting(minutes=10), 2 * 60)  # started 110 minutes ago; window closed after 60
    r = client_for("member1").get(checkin_url(late))
    assert r.status_code == 409 and "签到已截止" in r.content.decode()
    assert not Invitation.objects.filter(meeting__in=[early, late], attendance="present").exists()


def test_check_in_window_is_a_per_meeting_setting_defaulting_from_the_organisation(user, make_meeting):
    county = user("office").organisation
    county.settings = {**county.settings, "activities.checkin_before_minutes": 120}
    county.save()
    m = make_meeting(minutes=90)
    assert m.checkin_before_minutes == 120
    services.invitation_check_in(user=user("member1"), meeting=m, token=services.checkin_token(m))


def test_expired_code(client_for, make_meeting):
    m = make_meeting()
    token = services.checkin_token(m)
    with freeze_time(timezone.now() + datetime.timedelta(minutes=6)):  # codes live 5 minutes by default
        r = client_for("member1").get(checkin_url(m, token))
    assert r.status_code == 422 and "签到码已过期" in r.content.decode()
    assert Invitation.objects.get(meeting=m, member__user__username="member1").attendance == ""


def test_another_meetings_code_and_garbage_and_rotated_codes_are_refused(client_for, make_meeting, user):
    m, other = make_meeting(title="甲会"), make_meeting(title="乙会")
    c = client_for("member1")
    r = c.get(checkin_url(m, services.checkin_token(other)))
    assert r.status_code == 422 and "属于其他会议" in r.content.decode()
    r = c.get(checkin_url(m, "not-a-token"))
    assert r.status_code == 422 and "签到码无效" in r.content.decode()
    old = services.checkin_token(m)
    services.meeting_rotate_code(user=user("office"), meeting=m)
    r = c.get(checkin_url(m, old))
    assert r.status_code == 422 and "签到码无效或已更换" in r.content.decode()
    assert not Invitation.objects.filter(meeting__in=[m, other], attendance="present").exists()


def test_check_in_after_close_or_cancel(user, make_meeting):
    m = shift(make_meeting(), 30)
    services.meeting_close(user=user("office"), meeting=m)
    with pytest.raises(Conflict, match="签到已关闭"):
        services.invitation_check_in(user=user("member1"), meeting=m, token=services.checkin_token(m))
    c = make_meeting()
    services.meeting_cancel(user=user("office"), meeting=c, reason="改期")
    with pytest.raises(Conflict, match="已取消"):
        services.invitation_check_in(user=user("member1"), meeting=c, token=services.checkin_token(c))


def test_leave_after_the_start_is_refused(client_for, make_meeting):
    m = shift(make_meeting(minutes=5), 10)
    r = client_for("member1").post(
        reverse("activities:reply", args=[m.pk]), {"reply": "leave", "reason": "有事"}
    )
    assert r.status_code == 409 and "不能再请假" in r.content.decode()
    inv = Invitation.objects.get(meeting=m, member__user__username="member1")
    assert (inv.reply, inv.leave_status) == ("pending", "")


def test_leave_needs_a_reason_and_the_form_keeps_what_was_typed(client_for, make_meeting):
    m = make_meeting()
    c = client_for("member1")
    r = c.post(reverse("activities:reply", args=[m.pk]), {"reply": "leave", "reason": "  "})
    assert r.status_code == 422 and "请填写请假事由" in r.content.decode()
    r = c.post(reverse("activities:reply", args=[m.pk]), {"reply": "leave", "reason": "很长" * 200})
    assert (
        r.status_code == 422 and "不能超过 300 字" in r.content.decode() and "很长很长" in r.content.decode()
    )
    r = c.post(reverse("activities:reply", args=[m.pk]), {"reply": "maybe"})
    assert r.status_code == 422 and "只能是" in r.content.decode()


def test_leave_decisions(user, make_meeting):
    m = make_meeting()
    inv = services.invitation_request_leave(user=user("member1"), meeting=m, reason="出差")
    with pytest.raises(Invalid, match="不同意请假时请填写理由"):
        services.invitation_decide_leave(user=user("office"), invitation=inv, approve=False)
    with pytest.raises(Forbidden):
        services.invitation_decide_leave(user=user("leader"), invitation=inv, approve=True)
    services.invitation_decide_leave(user=user("office"), invitation=inv, approve=False, reason="会议重要")
    with pytest.raises(Conflict, match="已处理"):
        services.invitation_decide_leave(user=user("office"), invitation=inv, approve=True)
    # Refused: the member may ask again with a new reason; an approved leave can't be asked twice.
    inv = services.invitation_request_leave(user=user("member1"), meeting=m, reason="住院")
    services.invitation_decide_leave(user=user("office"), invitation=inv, approve=True)
    with pytest.raises(Conflict, match="已获批准"):
        services.invitation_request_leave(user=user("member1"), meeting=m, reason="再请一次")


def test_closing_twice_does_not_double_count(user, client_for, make_meeting):
    m = shift(make_meeting(kind="plenary"), 30)
    services.invitation_set_attendance(
        user=user("office"), invitation=m.invitations.get(member__user__username="member1"), present=True
    )
    first = services.meeting_close(user=user("office"), meeting=m)
    assert first == {"present": 1, "on_leave": 0, "absent": 2, "never_replied": 2}
    with pytest.raises(Conflict, match="不能重复操作"):
        services.meeting_close(user=user("office"), meeting=m)
    r = client_for("office").post(reverse("activities:close", args=[m.pk]), follow=True)
    assert "不能重复操作" in r.content.decode()
    # Even replaying the closing itself records nothing twice (record_act is idempotent per invitation).
    services.apply_close(Meeting.objects.get(pk=m.pk), user("office"))
    assert duty(user("member1").member, "plenary_attend", m).count() == 1
    assert duty(user("member2").member, "plenary_absent", m).count() == 1


def test_close_refused_while_leave_requests_wait(user, make_meeting):
    m = make_meeting(minutes=5)
    services.invitation_request_leave(user=user("member2"), meeting=m, reason="出差")
    m = shift(m, 10)
    with pytest.raises(Conflict, match="1 条请假申请未审批"):
        services.meeting_close(user=user("office"), meeting=m)


def test_draft_and_cancelled_states(user, make_meeting):
    d = make_meeting(notify=False)
    with pytest.raises(Conflict, match="尚未发出"):
        services.meeting_close(user=user("office"), meeting=shift(d, 60))
    with pytest.raises(Conflict, match="尚未发出"):
        services.invitation_set_attendance(
            user=user("office"), invitation=d.invitations.first(), present=True
        )
    c = make_meeting()
    with pytest.raises(Invalid, match="取消原因"):
        services.meeting_cancel(user=user("office"), meeting=c, reason="")
    services.meeting_cancel(user=user("office"), meeting=c, reason="改期")
    with pytest.raises(Conflict, match="已取消"):
        services.invitation_reply(user=user("member1"), meeting=c, reply="attend")
    with pytest.raises(Conflict, match="已取消"):
        services.meeting_cancel(user=user("office"), meeting=c, reason="again")


def test_notify_needs_invitees_and_is_not_repeated(user, make_meeting):
    m = make_meeting(invite=(), notify=False)
    with pytest.raises(Invalid, match="尚未邀请任何委员"):
        services.meeting_notify(user=user("office"), meeting=m)
    services.meeting_invite(user=user("office"), meeting=m, members=[user("member1").member.pk])
    assert services.meeting_notify(user=user("office"), meeting=m) == 1
    with pytest.raises(Conflict, match="均已通知"):
        services.meeting_notify(user=user("office"), meeting=m)
    # Invited after the notice: notified at once.
    assert services.meeting_invite(user=user("office"), meeting=m, members=[user("member2").member.pk]) == 1
    assert m.invitations.filter(notified_at__isnull=True).count() == 0


def test_invite_needs_a_choice_and_only_own_members(user, make_meeting):
    m = make_meeting(invite=(), notify=False)
    with pytest.raises(Invalid, match="请至少选择一种邀请方式"):
        services.meeting_invite(user=user("office"), meeting=m)
    with pytest.raises(Invalid, match="不属于本会"):
        services.meeting_invite(user=user("office"), meeting=m, members=[user("other").member.pk])
    # Inviting the same people twice adds nobody.
    n = services.meeting_invite(user=user("office"), meeting=m, standing=True)
    assert n >= 1 and services.meeting_invite(user=user("office"), meeting=m, standing=True) == 0


def test_create_form_keeps_input_and_says_what_is_wrong(client_for):
    r = client_for("office").post(
        reverse("activities:create"),
        {
            "kind": "inspection",
            "title": "视察河道治理",
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T08:00",
            "checkin_before_minutes": 60,
            "checkin_after_minutes": 60,
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "结束时间不能早于开始时间" in body and 'value="视察河道治理"' in body
    assert not Meeting.objects.filter(title="视察河道治理").exists()


def test_staff_correction_after_close_moves_the_duty_record(user, make_meeting):
    m = shift(make_meeting(kind="standing"), 30)
    services.meeting_close(user=user("office"), meeting=m)
    inv = m.invitations.get(member__user__username="member3")
    assert inv.attendance == "absent"
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)
    member = user("member3").member
    assert duty(member, "standing_absent", m).count() == 0 and duty(member, "standing_attend", m).count() == 1
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)  # no-op
    assert duty(member, "standing_attend", m).count() == 1
