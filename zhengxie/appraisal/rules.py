"""Who may do what in 民主评议: one predicate per question (services, selectors, pages and the API ask these).

- Staff of the 办公室 or a 专委会办公室 organise rounds of their own committee (`acts_in`).
- Staff, leaders and administrators read every round of their organisation and the levels below, with
  who rated what, the photos and where the phones were.
- A member sees the rounds of their committee once opened (only the invited rate: others get 403) and,
  once published, the ranking; they see their own ratings.
"""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.keytasks.rules import is_reader as reads_lists
from zhengxie.members.selectors import member_of


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_reader(user, organisation=None) -> bool:
    """Staff, leaders and administrators (keytasks' readers), of this organisation or above it."""
    return reads_lists(user) and (organisation is None or in_scope(user, organisation))


def is_organiser(user, organisation=None) -> bool:
    """Staff of the 办公室 or a 专委会办公室 (of this organisation's own committee when one is given)."""
    works = is_reader(user) and user.has_role(Role.STAFF) and user.works_in(Office.GENERAL, Office.COMMITTEE)
    return works and (organisation is None or acts_in(user, organisation))


def committee_member(user, organisation):
    """The user's Member when they belong to the committee holding the round, else None."""
    member = member_of(user)
    if member is None or organisation is None or member.status != "active":
        return None
    return member if member.organisation_id == organisation.pk else None


def is_invited(user, rnd) -> bool:
    member = committee_member(user, rnd.organisation)
    if member is None:
        return False
    from .models import Rater

    return Rater.objects.filter(round_id=rnd.pk, member_id=member.pk).exists()


def can_view(user, rnd) -> bool:
    if not _auth(user):
        return False
    if is_reader(user, rnd.organisation):
        return True
    if rnd.status == rnd.Status.DRAFT:
        return False
    return committee_member(user, rnd.organisation) is not None


def can_manage(user, rnd) -> bool:
    return is_organiser(user, rnd.organisation)


def can_see_details(user, rnd) -> bool:
    """Who rated what, when and where (and the results before they are published)."""
    return is_reader(user, rnd.organisation)


def can_see_results(user, rnd) -> bool:
    return can_see_details(user, rnd) or (rnd.status == rnd.Status.PUBLISHED and can_view(user, rnd))


def can_view_rating(user, rating) -> bool:
    """A rating (and its photos): staff of the scope, the rater, or anybody who sees the published results
    (photos are shown there; the location never)."""
    if not _auth(user):
        return False
    rnd = rating.round
    if is_reader(user, rnd.organisation):
        return True
    member = committee_member(user, rnd.organisation)
    if member is not None and member.pk == rating.member_id:
        return True
    return rnd.status == rnd.Status.PUBLISHED and can_view(user, rnd)


def may_list(user) -> bool:
    return _auth(user) and (is_reader(user) or member_of(user) is not None)


rules.add_perm("appraisal.view_round", rules.predicate(can_view))
rules.add_perm("appraisal.view_rating", rules.predicate(can_view_rating))
