from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import home_provider, register, todo_provider

from . import selectors

VIEWERS = [Role.MEMBER, Role.STAFF, Role.LEADER, Role.LIAISON, Role.SYSADMIN]

register("会议活动", "会议活动", "activities:list", roles=VIEWERS, icon="calendar-event", order=300)
register("会议活动", "会议日历", "activities:calendar", roles=VIEWERS, icon="calendar3", order=301)
register("会议活动", "新建会议", "activities:create", roles=[Role.STAFF], icon="plus-circle", order=302)
register(
    "会议活动",
    "出勤统计",
    "activities:attendance",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="bar-chart",
    order=303,
)


@todo_provider
def meeting_todos(user) -> list[dict]:
    """Members: invitations awaiting a reply, meetings coming up. Staff: leave requests (请假审批), meetings
    to close. A constant few queries; each card opens exactly what it counts."""
    items = []
    url = reverse("activities:list")
    if user.has_role(Role.MEMBER):
        c = selectors.member_todo_counts(user)
        items.append(
            {
                "label": "待回复的会议通知",
                "count": c["awaiting"],
                "url": url + "?todo=awaiting",
                "level": "danger",
            }
        )
        items.append(
            {
                "label": "近期会议活动",
                "count": c["upcoming"],
                "url": url + "?todo=upcoming",
                "level": "primary",
            }
        )
    if user.has_role(Role.STAFF):
        c = selectors.staff_todo_counts(user)
        items.append(
            {
                "label": "待审批的请假申请",
                "count": c["leave_pending"],
                "url": reverse("activities:leave"),
                "level": "warning",
            }
        )
        items.append(
            {
                "label": "已开完待归档的会议",
                "count": c["to_close"],
                "url": url + "?todo=to_close",
                "level": "secondary",
            }
        )
    return items


@home_provider(order=30)
def liaison_meetings(user) -> list:
    """A 乡镇联络组's workbench: the meetings it runs and those its members are invited to (the year's and
    the next and latest ones, with how many of its members), and how its members attended the year's
    closed meetings (four queries). Only the group's own meetings open from here: the others belong to the
    committee."""
    from django.db.models import Count, Q
    from django.utils import timezone
    from django.utils.html import format_html

    from zhengxie.core.dashboard import Card, Item, ItemList, Section
    from zhengxie.members.selectors import liaison_group_of

    from .models import Invitation, Meeting

    group = liaison_group_of(user)
    if group is None:
        return []
    now, year = timezone.now(), timezone.localdate().year
    S, A = Meeting.Status, Invitation.Attendance
    ours = Q(invitations__member__liaison_group=group)
    meetings = (
        Meeting.objects.filter(
            Q(organisation=group)
            | Q(pk__in=Invitation.objects.filter(member__liaison_group=group).values("meeting_id"))
        )
        .exclude(status__in=(S.DRAFT, S.CANCELLED))
        .annotate(ours=Count("invitations", filter=ours))
    )
    c = meetings.filter(starts_at__year=year).aggregate(
        own=Count("id", filter=Q(organisation=group), distinct=True),
        invited=Count("id", filter=~Q(organisation=group), distinct=True),
    )
    a = Invitation.objects.filter(
        member__liaison_group=group, meeting__status=S.CLOSED, meeting__starts_at__year=year
    ).aggregate(invited=Count("id"), present=Count("id", filter=Q(attendance=A.PRESENT)))
    rate = round(100 * a["present"] / a["invited"], 1) if a["invited"] else None
    shown = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "id")[:3])
    shown += list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id")[: 5 - len(shown)])
    coming = format_html('<span class="badge text-bg-primary">即将举行</span>')
    return [
        Section(
            f"{year}年会议活动",
            id="liaison-meetings",
            icon="calendar-event",
            url=reverse("activities:list"),
            url_label="本组会议活动",
            card_cols="col-6 col-md-3",
            cards=[
                Card("本组组织", c["own"], unit=" 次", id="liaison-meetings-own"),
                Card(
                    "本组委员受邀参加",
                    c["invited"],
                    unit=" 次",
                    hint="本会及其他组织的会议活动",
                    id="liaison-meetings-invited",
                ),
                Card(
                    "本组委员出席率",
                    rate,
                    unit="%",
                    hint=f"本年已归档会议应到 {a['invited']} 人次，出席 {a['present']} 人次",
                    level="success",
                    id="liaison-attendance-rate",
                ),
            ],
            lists=[
                ItemList(
                    "近期会议活动",
                    [
                        Item(
                            m.title,
                            url=reverse("activities:detail", args=[m.pk])
                            if m.organisation_id == group.pk
                            else "",
                            date=f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}",
                            meta="" if m.organisation_id == group.pk else f"本组 {m.ours} 人受邀",
                            badge=coming if m.ends_at >= now else "",
                        )
                        for m in shown
                    ],
                    empty="本组委员还没有会议活动。",
                    id="liaison-meeting-list",
                    cols="col-12",
                )
            ],
        )
    ]
