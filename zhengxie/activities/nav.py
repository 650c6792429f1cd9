from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

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
