"""The 视察调研 menu entries and the workbench to-do (topics past their end without a report, for the
managing staff of the organisation and the topic's writers)."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

SECTION = "视察调研"

register(
    SECTION,
    "视察调研课题",
    "research:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="binoculars",
    order=650,
)
register(SECTION, "我的课题", "research:mine", roles=[Role.MEMBER], icon="binoculars", order=651)


@todo_provider
def overdue_todos(user) -> list[dict]:
    """Topics past their end without a report (one query; none for other roles)."""
    if not user.has_role(Role.STAFF, Role.MEMBER):
        return []
    from .selectors import overdue_count

    n = overdue_count(user)
    if not n:
        return []
    return [
        {
            "label": "已过结束日期、尚未提交报告的视察调研课题",
            "count": n,
            "url": reverse("research:list") + "?overdue=1",
            "level": "warning",
        }
    ]
