"""The 民主评议 menu entry (staff, leaders, members) and the workbench to-do: invited members of open
rounds they have not finished."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

# In the 民主监督 menu (民主评议 is a form of democratic supervision), after the supervision app's entries.
register(
    "民主监督",
    "民主评议",
    "appraisal:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER],
    icon="clipboard-check",
    order=630,
)


@todo_provider
def appraisal_todos(user) -> list[dict]:
    """Open rounds the member is invited to and has not finished (one query; none for other roles)."""
    if not user.has_role(Role.MEMBER):
        return []
    from .selectors import open_todo_count

    n = open_todo_count(user)
    if not n:
        return []
    return [
        {
            "label": "待完成的民主评议",
            "count": n,
            "url": reverse("appraisal:list") + "?todo=1",
            "level": "primary",
        }
    ]
