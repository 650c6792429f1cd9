"""The copies that let a session's statistics read a few index entries instead of joining every row.

Assignments, replies and evaluations carry their proposal's session; replies and evaluations also the
unit that replied, evaluations the proposal's category, and two flags: a reply `is_latest` while no later
reply of the same unit replaces it, an evaluation `is_current` while it rates such a reply.
stats.session_stats reads only these. `sync` recomputes them with a few set-based UPDATEs: services call
it for their proposal (services.common._done, at every state change), bulk loaders for everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Subquery


def sync(proposal_ids: Iterable[int] | None = None, *, models=None) -> None:
    """Bring the copies of these proposals (all when None) up to date. `models` lets a data migration pass
    its historical (Proposal, Assignment, Reply, Evaluation)."""
    if models is None:
        from .models import Assignment, Evaluation, Proposal, Reply
    else:
        Proposal, Assignment, Reply, Evaluation = models
    ids = None if proposal_ids is None else list(proposal_ids)

    def scoped(manager):
        return manager.all() if ids is None else manager.filter(proposal_id__in=ids)

    proposal = Proposal.objects.filter(pk=OuterRef("proposal_id"))
    scoped(Assignment.objects).update(session_id=Subquery(proposal.values("session_id")[:1]))
    later = Reply.objects.filter(assignment_id=OuterRef("assignment_id"), pk__gt=OuterRef("pk"))
    scoped(Reply.objects).update(
        session_id=Subquery(proposal.values("session_id")[:1]),
        unit_id=Subquery(Assignment.objects.filter(pk=OuterRef("assignment_id")).values("unit_id")[:1]),
        is_latest=~Exists(later),
    )
    reply = Reply.objects.filter(pk=OuterRef("reply_id"))
    scoped(Evaluation.objects).update(
        session_id=Subquery(proposal.values("session_id")[:1]),
        category=Subquery(proposal.values("category")[:1]),
        unit_id=Subquery(reply.values("unit_id")[:1]),
        is_current=Subquery(reply.values("is_latest")[:1]),
    )
