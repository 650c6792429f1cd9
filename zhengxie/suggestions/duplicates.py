"""疑似重复: near-duplicate groups among the 微建议 waiting for the 办公室 (received or accepted, not yet
routed; zhengxie.search.duplicates), for its moderation queue and GET /api/v1/suggestions/duplicate-groups.
Suggestions already routed, answered or of earlier years are shown as reference only."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse

from zhengxie.core.models import Organisation
from zhengxie.search import duplicates as dup

from . import rules
from .models import Suggestion

KIND = "suggestion"
S = Suggestion.Status
WAITING = (S.RECEIVED, S.ACCEPTED)


def _text_of(pks) -> dict[int, tuple[str, str]]:
    rows = Suggestion.objects.filter(pk__in=pks).values_list("pk", "title", "content")
    return {pk: (title, content) for pk, title, content in rows}


def _own(user) -> Q:
    """The suggestions the 办公室 moderates: its committee's and its liaison groups' (selectors.waiting_counts)."""
    return Q(organisation_id=user.organisation_id) | Q(
        organisation__kind=Organisation.Kind.LIAISON, organisation__path__startswith=user.organisation.path
    )


def _items(qs):
    rows = (
        qs.filter(status__in=WAITING)
        .order_by("created_at", "id")
        .values_list("pk", "updated_at", "organisation_id")
    )
    return list(rows)


def _queues():
    orgs = Suggestion.objects.filter(status__in=WAITING).values_list("organisation_id", flat=True).distinct()
    for org_id in list(orgs):
        rows = _items(Suggestion.objects.filter(organisation_id=org_id))
        yield [org_id], [(pk, dup.stamp(u)) for pk, u, _ in rows], _text_of


dup.register_queue(KIND, _queues)


def duplicate_groups(user, *, budget: float | None = None) -> dict:
    """{"groups", "pending", "waiting"} for the 办公室; empty for anybody else."""
    if not rules.is_public_office(user) or user.organisation_id is None:
        return {"groups": [], "pending": 0, "waiting": 0}
    rows = _items(Suggestion.objects.filter(_own(user)))
    orgs = sorted({o for _, _, o in rows})
    found, pending = dup.groups(
        KIND,
        [(pk, dup.stamp(u)) for pk, u, _ in rows],
        organisation_ids=orgs,
        text_of=_text_of,
        bucket={pk: o for pk, _, o in rows},  # 合并 within one organisation
        budget=budget,
    )
    ids = {pk for g in found for pk in g.ids} | {pk for g in found for pk in g.references}
    details = {
        s.pk: s
        for s in Suggestion.objects.filter(pk__in=ids)
        .filter(_own(user))
        .annotate(length=Length("content"))
        .only("pk", "title", "name", "created_at", "status", "organisation_id", "routed_label", "content")
    }

    def row(s, reference):
        return {
            "title": s.title,
            "author": s.name or "群众",
            "at": s.created_at,
            "status": s.status,
            "status_label": s.get_status_display(),
            "detail": f"第{s.pk}号 · {s.length}字" + (f" · 交{s.routed_label}" if s.routed_label else ""),
            "url": reverse("suggestions:detail", args=[s.pk]),
        }

    out = dup.shape(
        found,
        details,
        title=lambda s: s.title,
        main_facts=lambda s: {"at": s.created_at, "length": s.length},
        row=row,
        reference_ok=lambda s: s.status != S.MERGED,
    )
    return {"groups": out, "pending": pending, "waiting": len(rows)}
