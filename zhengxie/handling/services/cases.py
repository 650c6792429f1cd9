"""Keeping the spine right: a module opens the case of its item (`open_case`) and, at every state change,
hands over its item's current facts (`case_sync`); the spine then brings its own copies up to date.

The copies let the inbox, the 督办 board and the statistics read a few index entries instead of joining
every row:
- the case copies the item's title, label, status, stage, category, session, deadline, light and round;
- assignments carry the case's session, kind, light and organisation, and `owes` (active, the case in
  handling, and no standing reply: none yet, or the latest one rated 不满意; a co-unit until it has sent
  its opinion); the 督办 board and the inbox read them alone (lights.refresh keeps the light right too);
- replies carry the session, the organisation, the replying unit and `is_latest` (no later reply of the
  same assignment);
- evaluations carry the session, the organisation, the case's category, the rated unit and `is_current`
  (the rated reply is still the latest).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, Subquery

from ..lights import refresh_co_rows
from ..models import Assignment, Case, Evaluation, Reply

CASE_FIELDS = (
    "title",
    "label",
    "status",
    "stage",
    "category",
    "session_id",
    "assigned_at",
    "deadline",
    "light",
    "round",
    "closed_at",
)


def copies(case: Case) -> dict:
    """The case's facts an assignment carries (sync_copies refreshes them), for a new assignment."""
    return {"kind": case.kind, "light": case.light, "organisation_id": case.organisation_id}


def open_case(*, kind: str, item, organisation_id: int, **facts) -> Case:
    """The case of this item, made if it has none yet (the item's `case` is set and saved)."""
    if getattr(item, "case_id", None):
        return item.case
    case, _ = Case.objects.get_or_create(
        kind=kind,
        object_id=item.pk,
        defaults={"organisation_id": organisation_id, **{k: v for k, v in facts.items() if k in CASE_FIELDS}},
    )
    type(item).objects.filter(pk=item.pk).update(case=case)
    item.case = case
    return case


def case_sync(case_id: int, **facts) -> None:
    """Copy the item's facts onto its case, then refresh the case's row copies."""
    if facts:
        Case.objects.filter(pk=case_id).update(**{k: v for k, v in facts.items() if k in CASE_FIELDS})
    sync_copies([case_id])


def sync_copies(case_ids: Iterable[int] | None = None) -> None:
    """Bring the copies on assignments, replies and evaluations of these cases (all when None) up to date,
    with a few set-based UPDATEs."""
    ids = None if case_ids is None else list(case_ids)

    def scoped(manager):
        return manager.all() if ids is None else manager.filter(case_id__in=ids)

    case = Case.objects.filter(pk=OuterRef("case_id"))
    later = Reply.objects.filter(assignment_id=OuterRef("assignment_id"), pk__gt=OuterRef("pk"))
    scoped(Reply.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        organisation_id=Subquery(case.values("organisation_id")[:1]),
        unit_id=Subquery(Assignment.objects.filter(pk=OuterRef("assignment_id")).values("unit_id")[:1]),
        is_latest=~Exists(later),
    )
    reply = Reply.objects.filter(pk=OuterRef("reply_id"))
    scoped(Evaluation.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        organisation_id=Subquery(case.values("organisation_id")[:1]),
        category=Subquery(case.values("category")[:1]),
        unit_id=Subquery(reply.values("unit_id")[:1]),
        is_current=Subquery(reply.values("is_latest")[:1]),
    )
    standing = Reply.objects.filter(assignment_id=OuterRef("pk"), is_latest=True).exclude(
        evaluations__rating=Evaluation.Rating.UNSATISFIED
    )
    in_handling = Case.objects.filter(pk=OuterRef("case_id"), stage=Case.Stage.HANDLING)
    # A co-unit (会办) owes its opinion until it has sent it.
    opinion_sent = Q(role=Assignment.Role.CO) & ~Q(co_opinion="")
    scoped(Assignment.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        kind=Subquery(case.values("kind")[:1]),
        light=Subquery(case.values("light")[:1]),
        organisation_id=Subquery(case.values("organisation_id")[:1]),
        owes=Q(is_active=True) & Exists(in_handling) & ~Exists(standing) & ~opinion_sent,
    )
    # A 会办 unit's row has a light of its own, from its own deadline (lights.co_light).
    refresh_co_rows(ids)
