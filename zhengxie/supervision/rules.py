"""Who may do what in 民主监督: one predicate per question (services, selectors, pages and the API ask these).

- The 办公室 of the committee (keytasks.rules.is_office) opens and closes the 票决, enters its paper result
  and forms the groups; staff, leaders and administrators read everything of their organisation and below.
- Standing members (常委) of the committee vote, once each.
- A group (its leader, members and staff contact) sees its own supervision, keeps its three lists and
  confirms the unit's 整改; its leader and members (not the staff contact) rate the unit.
- The supervised unit sees none of that, only each 整改 item routed to it (and the problem it was drawn
  from) with their evidence, on its case page.
"""

from __future__ import annotations

import rules

from zhengxie.core.models import Role
from zhengxie.core.permissions import in_scope
from zhengxie.keytasks.rules import is_office
from zhengxie.members.selectors import member_of

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)

__all__ = ["is_office"]


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_reader(user) -> bool:
    return _auth(user) and user.has_role(*READERS)


def member_ids(s) -> set[int]:
    """The group's members (the leader included), from the prefetched rows when there are some."""
    return {s.leader_id, *(m.pk for m in s.members.all())}


def in_group(user, s) -> bool:
    """The leader or a member of the group."""
    m = member_of(user)
    return m is not None and m.pk in member_ids(s)


def is_group(user, s) -> bool:
    """The group as it works: its leader, members and staff contact."""
    return _auth(user) and (s.staff_contact_id == user.pk or in_group(user, s))


def can_view(user, s) -> bool:
    if not _auth(user):
        return False
    if is_reader(user) and in_scope(user, s.organisation):
        return True
    return is_group(user, s)


def can_manage(user, s) -> bool:
    """End the rating, close the group: the 办公室 of its committee or its staff contact."""
    return is_office(user, s.organisation) or (_auth(user) and s.staff_contact_id == user.pk)


def can_add_items(user, s) -> bool:
    return is_group(user, s)


def can_rate(user, s) -> bool:
    return in_group(user, s)


def can_view_item(user, item) -> bool:
    """The group and the readers (can_view); a unit only the 整改 items routed to it (on its case page, with
    their evidence) and the 问题清单 items they were drawn from — never the rest of the group's lists."""
    if can_view(user, item.supervision):
        return True
    return is_unit(user) and unit_owns_item(user, item)


def unit_owns_item(user, item) -> bool:
    """The user's unit is (or was) assigned the case of this 整改 item, or of a 整改 item drawn from this
    problem (the spine's rule: handling.rules.can_view_case)."""
    from zhengxie.handling.rules import can_view_case

    from .models import Item

    if item.list == Item.List.RECTIFICATION:
        cases = [item.case] if item.case_id else []
    elif item.list == Item.List.PROBLEM:
        cases = [r.case for r in item.rectifications.select_related("case") if r.case_id]
    else:
        cases = []
    return any(can_view_case(user, c) for c in cases)


def is_unit(user) -> bool:
    return _auth(user) and user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD)


def can_view_selection(user, sel) -> bool:
    """Everybody of the committee but its units: members see the vote to take part (only 常委 vote)."""
    if not _auth(user) or is_unit(user):
        return False
    return in_scope(user, sel.organisation)


def is_standing(user, organisation) -> bool:
    m = member_of(user)
    return (
        m is not None
        and m.is_standing
        and m.status == m.Status.ACTIVE
        and m.organisation_id == organisation.committee.pk
    )


rules.add_perm("supervision.view_item", rules.predicate(can_view_item))
rules.add_perm("supervision.view_supervision", rules.predicate(can_view))
