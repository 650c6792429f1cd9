"""Meetings of the demo world, made through the services, at times relative to now."""

import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def make_meeting(user):
    """make_meeting(kind="committee", minutes=30, invite=["member1", ...], notify=True) -> Meeting.

    `minutes` is how far in the future the meeting starts (negative: already started)."""
    from zhengxie.activities import services
    from zhengxie.activities.models import Meeting

    def make(
        kind="committee",
        minutes=30,
        hours=2,
        invite=("member1", "member2", "member3"),
        notify=True,
        by="office",
        title="测试会议",
        **extra,
    ):
        staff = user(by)
        start = timezone.now() + datetime.timedelta(minutes=minutes)
        m = services.meeting_create(
            user=staff,
            kind=kind,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            place="县政协会议室",
            **extra,
        )
        if invite:
            services.meeting_invite(user=staff, meeting=m, members=[user(u).member.pk for u in invite])
        if notify and invite:
            services.meeting_notify(user=staff, meeting=m)
        return Meeting.objects.select_related("organisation").get(pk=m.pk)

    return make


def shift(meeting, minutes):
    """Time passes: move the meeting `minutes` earlier (so that it has started, ended ...)."""
    from zhengxie.activities.models import Meeting

    delta = datetime.timedelta(minutes=minutes)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - delta, ends_at=meeting.ends_at - delta
    )
    return Meeting.objects.select_related("organisation").get(pk=meeting.pk)


def duty(member, act=None, meeting=None):
    """The member's live duty records that came from meeting invitations (of `meeting`, if given)."""
    from zhengxie.performance.models import DutyRecord

    qs = DutyRecord.objects.filter(member=member, voided=False, source_ct__model="invitation")
    if meeting is not None:
        qs = qs.filter(source_id__in=[str(pk) for pk in meeting.invitations.values_list("pk", flat=True)])
    return qs.filter(act=act) if act else qs
