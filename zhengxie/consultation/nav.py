"""The 协商议事 menu entries and workbench to-dos; each part registers its own entries."""

from django.urls import reverse  # noqa: F401

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import register, todo_provider  # noqa: F401

SECTION = "协商议事"
STAFF_OFFICES = [Office.GENERAL, Office.COMMITTEE]

# Consultations (views/consultations.py).
register(
    SECTION,
    "协商活动",
    "consultation:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER, Role.LIAISON],
    icon="people",
    order=500,
)

# Topics and the plan (views/topics.py).

# The online hall (views/hall.py).

# Outcomes and votes (views/outcomes.py).


@todo_provider
def outcome_vote_todos(user) -> list[dict]:
    """A standing member's open 票评 not yet given (one query, none for other users)."""
    from zhengxie.members.selectors import member_of

    from .models import Outcome

    if not user.has_role(Role.MEMBER):
        return []
    member = member_of(user)
    if member is None or not member.is_standing:
        return []
    pks = list(
        Outcome.objects.filter(vote_open=True, consultation__organisation_id=member.organisation_id)
        .exclude(votes__member_id=member.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[:50]
    )
    if not pks:
        return []
    return [
        {
            "label": "待参加的协商成果票评",
            "count": len(pks),
            "url": reverse("consultation:outcome_vote", args=[pks[0]]),
            "level": "warning",
        }
    ]
