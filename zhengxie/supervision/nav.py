"""The 民主监督 menu entries and the workbench to-dos: open 票决 for standing members who have not voted,
and 整改 items replied by the unit and awaiting the confirmation of a group the user is in."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

SECTION = "民主监督"

register(
    SECTION,
    "民主监督",
    "supervision:index",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="binoculars",
    order=620,
)
register(SECTION, "我的监督小组", "supervision:index", roles=[Role.MEMBER], icon="binoculars", order=621)
register(
    SECTION,
    "监督单位票决",
    "supervision:votes",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="check2-square",
    order=622,
)


@todo_provider
def supervision_todos(user) -> list[dict]:
    """A constant number of queries: the member row (cached), one count each."""
    if not user.has_role(Role.MEMBER, Role.STAFF):
        return []
    from .selectors import awaiting_confirmation, open_votes_for

    out = []
    n = open_votes_for(user) if user.has_role(Role.MEMBER) else 0
    if n:
        out.append(
            {
                "label": "待参加的民主监督票决",
                "count": n,
                "url": reverse("supervision:votes"),
                "level": "primary",
            }
        )
    n = awaiting_confirmation(user)
    if n:
        out.append(
            {
                "label": "有整改待确认的民主监督",
                "count": n,
                "url": reverse("supervision:index") + "?todo=confirm",
                "level": "warning",
            }
        )
    return out
