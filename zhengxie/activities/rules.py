"""Who may see and manage meetings. One predicate per question; used by services, views, templates, API."""

import rules

from zhengxie.core.models import Role
from zhengxie.core.permissions import in_scope, is_leader, is_staff, is_sysadmin

from .models import Invitation, Meeting

# Roles that see every meeting of their organisation (and its subtree), drafts included.
OVERSEERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.LIAISON)


@rules.predicate
def oversees_meeting(user, meeting: Meeting) -> bool:
    return (
        meeting is not None
        and user.is_authenticated
        and user.has_role(*OVERSEERS)
        and in_scope(user, meeting.organisation)
    )


@rules.predicate
def is_invited(user, meeting: Meeting) -> bool:
    """An invited member sees the meeting once its notice has gone out."""
    if meeting is None or not user.is_authenticated or meeting.status == Meeting.Status.DRAFT:
        return False
    return Invitation.objects.filter(meeting=meeting, member__user=user).exists()


@rules.predicate
def manages_meeting(user, meeting: Meeting) -> bool:
    """Staff of the meeting's own organisation run it (create, invite, notify, check in, close)."""
    return (
        meeting is not None
        and user.is_authenticated
        and user.has_role(Role.STAFF)
        and user.organisation_id == meeting.organisation_id
    )


can_view_meeting = oversees_meeting | is_invited

rules.add_perm("activities.view_meeting", can_view_meeting)
rules.add_perm("activities.add_meeting", is_staff)
rules.add_perm("activities.view_attendance", is_staff | is_leader | is_sysadmin)
