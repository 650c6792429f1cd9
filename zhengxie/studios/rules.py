"""Who may do what with studios, the 线上值班 rota and the 为民服务超市: one predicate per question, used by
services, selectors, pages and the API. Services add "when" (the state) and raise with a Chinese message.

- The studio office: staff of the 办公室 (Office.GENERAL) of the studio's own committee: they create and
  edit studios, plan the rota, decide leave, mark days, and may act on a member's behalf.
- Readers: staff, leaders and system administrators of the organisation or a level above (figures, lists).
- Members: their own duty days, their own services and the bookings of them.
"""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.members.selectors import member_of


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _org_id(obj) -> int | None:
    return getattr(obj, "organisation_id", None) or getattr(obj, "pk", obj)


def is_studio_office(user, organisation=None) -> bool:
    """办公室 staff (who may act in this organisation when one is given)."""
    if not (_auth(user) and user.has_role(Role.STAFF) and user.works_in(Office.GENERAL)):
        return False
    return organisation is None or acts_in(user, organisation)


def can_read_studios(user, organisation) -> bool:
    """Staff, leaders and system administrators of the organisation or above: lists, figures, bookings."""
    return (
        _auth(user) and user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN) and in_scope(user, organisation)
    )


def can_manage_studio(user, studio) -> bool:
    return is_studio_office(user, studio.organisation)


def own_member_id(user) -> int | None:
    m = member_of(user)
    return m.pk if m is not None else None


def is_own(user, row) -> bool:
    """The row (a duty slot, an offer, a booking, a service record) is the user's own as a member."""
    mid = own_member_id(user)
    return mid is not None and getattr(row, "member_id", None) == mid


def is_own_studio(user, studio) -> bool:
    """The user is one of the studio's members (prefetched members are used when present)."""
    mid = own_member_id(user)
    if mid is None:
        return False
    cache = getattr(studio, "_prefetched_objects_cache", {})
    if "members" in cache:
        return any(m.pk == mid for m in cache["members"])
    return studio.members.filter(pk=mid).exists()


def can_view_studio(user, studio) -> bool:
    """The staff pages of a studio: its members and readers of its organisation."""
    return can_read_studios(user, studio.organisation) or is_own_studio(user, studio)


def can_view_row(user, row) -> bool:
    """A duty slot, offer, booking or record: its member, or readers of its organisation."""
    return is_own(user, row) or can_read_studios(user, row.organisation)


def can_act_for(user, row) -> bool:
    """Mark a duty day done, accept or decline a booking, record a service: the member, or the office."""
    return is_own(user, row) or is_studio_office(user, row.organisation)


def can_see_phone(user, booking) -> bool:
    """A booking's phone number: the member booked and the office of its organisation (masked otherwise)."""
    return is_own(user, booking) or is_studio_office(user, booking.organisation)


def may_offer(user) -> bool:
    """Members offer services; the office lists them on a member's behalf."""
    return _auth(user) and (member_of(user) is not None or is_studio_office(user))


rules.add_perm("studios.manage", rules.predicate(lambda user: is_studio_office(user)))


def is_swap_party(user, swap) -> bool:
    """The member who asked for a swap (换班) or the one asked to take the day."""
    mid = own_member_id(user)
    return mid is not None and mid in (swap.from_member_id, swap.to_member_id)


def can_view_swap(user, swap) -> bool:
    """A swap: the two members, and readers of its organisation (the 办公室 among them)."""
    return is_swap_party(user, swap) or can_read_studios(user, swap.organisation)
