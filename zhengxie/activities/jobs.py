"""Periodic checks: remind invitees who have not replied shortly before the meeting."""

import datetime

from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register

from .models import Invitation, Meeting
from .services import fmt, meeting_url


@register("activities.remind_pending_replies", every="hourly", label="提醒未回复会议通知的委员")
def remind_pending_replies(now=None) -> int:
    now = now or timezone.now()
    sent = 0
    upcoming = Meeting.objects.filter(
        status=Meeting.Status.NOTIFIED, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=14)
    ).select_related("organisation")
    for meeting in upcoming:
        days = int(orgsettings.get(meeting.organisation, "activities.remind_days"))
        if meeting.starts_at > now + datetime.timedelta(days=days):
            continue
        pending = list(
            meeting.invitations.filter(
                reply=Invitation.Reply.PENDING, reminded_at__isnull=True
            ).select_related("member__user")
        )
        if not pending:
            continue
        notify(
            [i.member.user for i in pending],
            f"请回复会议通知：{meeting.title}",
            f"会议将于 {fmt(meeting.starts_at)} 开始，请回复是否参加；不能参加的请提出请假申请。",
            url=meeting_url(meeting),
            category="activities",
            sms=True,
        )
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=now)
        sent += len(pending)
    return sent
