"""The 重点工作 menu entries and the workbench to-do (tasks behind schedule that the user owns or leads)."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

SECTION = "重点工作"

register(
    SECTION,
    "重点工作任务",
    "keytasks:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="flag",
    order=600,
)
register(
    SECTION,
    "重点工作看板",
    "keytasks:board",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="kanban",
    order=601,
)


@todo_provider
def behind_todos(user) -> list[dict]:
    """Tasks behind their 序时进度 that the user owns or leads (one query; none for other roles)."""
    if not user.has_role(Role.STAFF, Role.LEADER):
        return []
    from .selectors import behind_count

    n = behind_count(user)
    if not n:
        return []
    return [
        {
            "label": "滞后于序时进度的重点工作",
            "count": n,
            "url": reverse("keytasks:list") + "?todo=behind",
            "level": "danger",
        }
    ]
