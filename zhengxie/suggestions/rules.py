"""Who may do what with a 微建议: one predicate per question (services, selectors, pages and the API ask
these). The citizen has no account: they hold the tracking code, which the services check instead."""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.handling.rules import is_unit_user
from zhengxie.members.selectors import member_of

from .models import Suggestion

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_public_office(user, organisation=None) -> bool:
    """Staff of the 办公室 that runs the public channel (of this organisation when one is given)."""
    if not (_auth(user) and user.has_role(Role.STAFF) and user.works_in(Office.GENERAL)):
        return False
    return organisation is None or user.organisation_id == getattr(organisation, "pk", organisation)


def is_reader(user) -> bool:
    """Staff, leaders and administrators read the suggestions of their organisation and the levels below."""
    return _auth(user) and user.has_role(*READERS)


def studio_ids(user) -> set[int]:
    """The studios the user is a member of (cached on the user)."""
    if not _auth(user):
        return set()
    if "_zx_studios" not in user.__dict__:
        member = member_of(user)
        user.__dict__["_zx_studios"] = (
            set(member.studios.values_list("pk", flat=True)) if member is not None else set()
        )
    return user.__dict__["_zx_studios"]


def is_studio_member(user, s: Suggestion) -> bool:
    """A member of the studio the suggestion was routed to."""
    return s.routed_to == Suggestion.RoutedTo.STUDIO and s.studio_id in studio_ids(user)


def is_routed_unit(user, s: Suggestion) -> bool:
    """A handler or head of the unit the suggestion's case is assigned to now (not one released by a granted
    申请调整)."""
    if not (s.case_id and is_unit_user(user)):
        return False
    from zhengxie.handling.models import Assignment

    return Assignment.objects.filter(
        case_id=s.case_id, unit_id=user.handling_unit_id, is_active=True
    ).exists()


def can_view(user, s: Suggestion) -> bool:
    if not _auth(user):
        return False
    if is_reader(user) and in_scope(user, s.organisation):
        return True
    return is_studio_member(user, s) or is_routed_unit(user, s)


def can_moderate(user, s: Suggestion) -> bool:
    """Accept, reject, route and publish: the 办公室 of the suggestion's own committee (a liaison group's
    suggestions are its committee's work: core.permissions.acts_in)."""
    return is_public_office(user) and acts_in(user, s.organisation)


def can_reply_studio(user, s: Suggestion) -> bool:
    """A studio-routed suggestion is answered by any member of that studio (or by the 办公室)."""
    return is_studio_member(user, s) or can_moderate(user, s)


def sees_phone(user, s: Suggestion) -> bool:
    """Staff and leaders see the number; units and studio members only when the citizen agreed to a call."""
    return (is_reader(user) and in_scope(user, s.organisation)) or s.consent_to_call


rules.add_perm("suggestions.view_suggestion", rules.predicate(can_view))
