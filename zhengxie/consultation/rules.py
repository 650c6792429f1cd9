"""Who may do what in 协商议事: one predicate per question (services, selectors, pages and the API ask these).

- Staff of the 办公室 or a 专委会办公室 run consultations of their own committee (`acts_in`); a 乡镇联络组's
  liaison user runs its own 有事好商量.
- Staff, leaders and administrators read everything of their organisation and the levels below.
- Members read their own committee's consultations, propose topics and comment in an open hall; standing
  members vote (票评) on outcomes.
- A unit sees the consultations it attends and the recommendations routed to it (through its case).
"""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.handling.rules import is_unit_user
from zhengxie.members.selectors import member_of

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_consultation_staff(user, organisation=None) -> bool:
    """Staff of the 办公室 or a 专委会办公室 (acting in this organisation when one is given), or the liaison
    user of a 乡镇联络组 for its own organisation."""
    if not _auth(user):
        return False
    staff = user.has_role(Role.STAFF) and (user.works_in(Office.GENERAL) or user.works_in(Office.COMMITTEE))
    if organisation is None:
        return staff or user.has_role(Role.LIAISON)
    org_id = getattr(organisation, "pk", organisation)
    if user.has_role(Role.LIAISON) and user.organisation_id == org_id:
        return True
    return staff and acts_in(user, organisation)


def is_reader(user, organisation) -> bool:
    return _auth(user) and user.has_role(*READERS) and in_scope(user, organisation)


def committee_member(user, organisation):
    """The user's Member when they belong to the committee holding it (or, for a liaison group's
    有事好商量, to that group's committee), else None."""
    member = member_of(user)
    if member is None or organisation is None:
        return None
    committee = getattr(organisation, "committee", organisation)
    if member.organisation_id in (organisation.pk, getattr(committee, "pk", None)):
        return member
    return None


def is_attending_unit(user, consultation) -> bool:
    """A unit that attends the consultation, or one a recommendation of its outcome was routed to."""
    if not is_unit_user(user):
        return False
    if consultation.departments.filter(pk=user.handling_unit_id).exists():
        return True
    from .models import Recommendation

    return Recommendation.objects.filter(
        outcome__consultation_id=consultation.pk, unit_id=user.handling_unit_id, case__isnull=False
    ).exists()


def can_view(user, consultation) -> bool:
    if not _auth(user):
        return False
    if is_reader(user, consultation.organisation) or is_consultation_staff(user, consultation.organisation):
        return True
    if committee_member(user, consultation.organisation) is not None:
        return True
    return is_attending_unit(user, consultation)


def can_manage(user, consultation) -> bool:
    return is_consultation_staff(user, consultation.organisation)


def can_comment(user, consultation) -> bool:
    """Members of the committee and its consultation staff take part in the hall (the window is the
    services' check)."""
    return committee_member(user, consultation.organisation) is not None or can_manage(user, consultation)


def can_propose_topic(user, organisation) -> bool:
    return committee_member(user, organisation) is not None or is_consultation_staff(user, organisation)


def can_vote(user, outcome) -> bool:
    """票评: standing members (常委) of the committee, once each (the services check the once)."""
    member = committee_member(user, outcome.consultation.organisation)
    return member is not None and member.is_standing


rules.add_perm("consultation.view_consultation", rules.predicate(can_view))
