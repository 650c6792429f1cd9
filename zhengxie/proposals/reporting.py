"""A proposal's facts on its handling case (handling.services.case_sync): the case copies the title,
number, status and stage, category, session, deadline, light and round, and the spine refreshes the
statistics copies on assignments, replies and evaluations (stats.session_stats reads only those).
Services call `sync` for their proposal at every state change (services.common._done); bulk loaders
call it for everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case as When_
from django.db.models import CharField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat, LPad

from zhengxie.handling import services as spine
from zhengxie.handling.models import Case

from .models import Proposal

S = Proposal.Status
# The handling stage of each proposal status.
STAGE = {
    S.ASSIGNED: Case.Stage.HANDLING,
    S.HANDLING: Case.Stage.HANDLING,
    S.REHANDLING: Case.Stage.HANDLING,
    S.REPLIED: Case.Stage.REPLIED,
    S.CLOSED: Case.Stage.CLOSED,
    S.REJECTED: Case.Stage.ENDED,
    S.CONVERTED: Case.Stage.ENDED,
    S.MERGED: Case.Stage.ENDED,
}


def facts(p) -> dict:
    return {
        "title": p.title[:200],
        "label": p.number_label if p.number else "",
        "status": p.status,
        "stage": STAGE.get(p.status, Case.Stage.PENDING),
        "category": p.category,
        "session_id": p.session_id,
        "assigned_at": p.assigned_at,
        "deadline": p.deadline,
        "light": p.light,
        "round": p.rehandle_round,
        "closed_at": p.closed_at,
    }


def open_cases(proposals: list) -> None:
    """Open the cases of proposals made in bulk (demo, benchmarks, imports): one INSERT and one UPDATE."""
    todo = [p for p in proposals if p.case_id is None]
    cases = [
        Case(organisation_id=p.organisation_id, kind="proposal", object_id=p.pk, **facts(p)) for p in todo
    ]
    Case.objects.bulk_create(cases, batch_size=1000)
    for p, c in zip(todo, cases, strict=True):
        p.case_id = c.pk
    Proposal.objects.bulk_update(todo, ["case"], batch_size=1000)


def sync(proposal_ids: Iterable[int] | None = None) -> None:
    """Bring the cases of these proposals (all when None) up to date."""
    if proposal_ids is None:
        _sync_all()
        return
    for p in Proposal.objects.filter(pk__in=list(proposal_ids), case__isnull=False):
        spine.case_sync(p.case_id, **facts(p))


def _sync_all() -> None:
    item = Proposal.objects.filter(case_id=OuterRef("pk"))

    def col(name):
        return Subquery(item.values(name)[:1])

    stage = When_(
        *[When(status=k, then=Value(v.value)) for k, v in STAGE.items()],
        default=Value(Case.Stage.PENDING.value),
        output_field=CharField(),
    )
    label = When_(
        When(number__isnull=True, then=Value("")),
        default=Concat(Value("第"), LPad(Cast(F("number"), CharField()), 4, Value("0")), Value("号")),
        output_field=CharField(),
    )
    Case.objects.filter(kind="proposal", pk__in=Proposal.objects.values("case_id")).update(
        title=col("title"),
        label=Subquery(item.annotate(lbl=label).values("lbl")[:1]),
        status=col("status"),
        stage=Subquery(item.annotate(stg=stage).values("stg")[:1]),
        category=col("category"),
        session_id=col("session_id"),
        assigned_at=col("assigned_at"),
        deadline=col("deadline"),
        light=col("light"),
        round=col("rehandle_round"),
        closed_at=col("closed_at"),
    )
    spine.sync_copies(None)
