"""Who may do what on the spine, answered once per question. What depends on the item (who sees it,
who rates its replies, which office runs it) is the kind's answer (kinds.py)."""

from __future__ import annotations

import rules

from zhengxie.core.models import Role

from . import kinds


def can_view_case(user, case) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and kinds.get(case.kind).may_view(case, user)


def handling_offices() -> set[str]:
    """The staff offices that run some kind of routed item (each kind names its own)."""
    return {k.office for k in kinds.KINDS.values()}


def is_case_office(user, case=None, kind: str | None = None) -> bool:
    """Staff of the office that runs this kind of item, in the case's own organisation (for `case=None`:
    the office of `kind` anywhere in the user's organisation; with neither: any handling office)."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.STAFF):
        return False
    if case is not None:
        return user.works_in(kinds.get(case.kind).office) and user.organisation_id == case.organisation_id
    if kind is not None:
        return user.works_in(kinds.get(kind).office)
    return user.works_in(*handling_offices())


def is_unit_user(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.handling_unit_id
        and user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD)
    )


def unit_holds(user, case) -> bool:
    """The user's unit holds this case now: an active assignment of it. A unit released by a granted
    申请调整 no longer sees the case (404 like any other unit's); the kinds' `may_view` ask this."""
    if not is_unit_user(user):
        return False
    rows = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if rows is not None:
        return any(a.is_active and a.unit_id == user.handling_unit_id for a in rows)
    from .models import Assignment

    return Assignment.objects.filter(case_id=case.pk, unit_id=user.handling_unit_id, is_active=True).exists()


def is_unit_head(user, unit_id=None) -> bool:
    """The unit's head (负责人), who signs its reply letters off (签发); any unit's with `unit_id=None`."""
    return (
        is_unit_user(user)
        and user.has_role(Role.UNIT_HEAD)
        and (unit_id is None or user.handling_unit_id == unit_id)
    )


def can_supervise(user) -> bool:
    """The 督办 board and the unit figures: a handling office, leaders and system administrators."""
    return bool(getattr(user, "is_authenticated", False)) and (
        is_case_office(user) or user.has_role(Role.LEADER, Role.SYSADMIN)
    )


# Files hang off the case (a flow kind's reply letters), replies and follow-up reports: whoever may see
# the case's item may download them.
rules.add_perm("handling.view_case", rules.predicate(lambda user, case: can_view_case(user, case)))
rules.add_perm("handling.view_reply", rules.predicate(lambda user, reply: can_view_case(user, reply.case)))


def can_view_draft(user, draft) -> bool:
    """A reply draft and its letter: before 签发 the unit's own users only; once signed (it is the reply's
    letter then) whoever may see the case."""
    if not can_view_case(user, draft.case):
        return False
    return draft.status == "signed" or (
        is_unit_user(user) and user.handling_unit_id == draft.assignment.unit_id
    )


rules.add_perm("handling.view_replydraft", rules.predicate(lambda user, draft: can_view_draft(user, draft)))
rules.add_perm(
    "handling.view_followupreport",
    rules.predicate(lambda user, report: can_view_case(user, report.followup.case)),
)
