from django import template

from ..models import Invitation, Meeting

register = template.Library()

REPLY = dict(Invitation.Reply.choices)
LEAVE = dict(Invitation.LeaveStatus.choices)
ATTENDANCE = dict(Invitation.Attendance.choices)
STATUS_COLOURS = {"draft": "secondary", "notified": "primary", "closed": "success", "cancelled": "dark"}
KIND_COLOURS = {
    Meeting.Kind.PLENARY: "danger",
    Meeting.Kind.STANDING: "warning",
    Meeting.Kind.CHAIR: "warning",
    Meeting.Kind.COMMITTEE: "primary",
    Meeting.Kind.INSPECTION: "success",
    Meeting.Kind.RESEARCH: "success",
}


@register.filter
def reply_label(code):
    return REPLY.get(code or "pending", "")


@register.filter
def leave_label(code):
    return LEAVE.get(code or "", "") if code else ""


@register.filter
def attendance_label(code):
    return ATTENDANCE.get(code or "", "")


@register.filter
def status_colour(code):
    return STATUS_COLOURS.get(code, "secondary")


@register.filter
def kind_colour(code):
    return KIND_COLOURS.get(code, "info")


@register.simple_tag
def my_status(meeting):
    """A member's short status for a meeting in lists: 待回复 / 参加 / 请假待批 / 已准假 / 已签到 ..."""
    att = getattr(meeting, "my_attendance", "") or ""
    if att:
        return ATTENDANCE[att]
    leave = getattr(meeting, "my_leave_status", "") or ""
    if leave == "pending":
        return "请假待批"
    if leave == "approved":
        return "已准假"
    if leave == "refused":
        return "请假未准"
    return REPLY.get(getattr(meeting, "my_reply", "") or "pending", "")
