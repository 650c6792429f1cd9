"""疑似重复: near-duplicate groups among the proposals waiting for 立案审查 (zhengxie.search.duplicates), for
the 提案委's queue page and GET /api/v1/proposals/duplicate-groups. A group is within one session (并案 is);
proposals of other sessions or already filed are shown as reference only."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Length
from django.urls import reverse

from zhengxie.search import duplicates as dup

from . import rules as r
from .models import Proposal, Signer
from .selectors import S, visible_proposals

KIND = "proposal"


def _waiting(organisation_id):
    return Proposal.objects.filter(organisation_id=organisation_id, status=S.SUBMITTED)


def _text_of(pks) -> dict[int, tuple[str, str]]:
    rows = Proposal.objects.filter(pk__in=pks).values_list("pk", "title", "reasons")
    return {pk: (title, reasons) for pk, title, reasons in rows}


def _queues():
    orgs = _waiting_orgs()
    for org_id in orgs:
        rows = _waiting(org_id).order_by("submitted_at", "id").values_list("pk", "updated_at")
        yield [org_id], [(pk, dup.stamp(u)) for pk, u in rows], _text_of


def _waiting_orgs():
    return list(
        Proposal.objects.filter(status=S.SUBMITTED).values_list("organisation_id", flat=True).distinct()
    )


dup.register_queue(KIND, _queues)


def _author(p: Proposal) -> str:
    if p.kind == Proposal.Kind.COLLECTIVE:
        return p.collective_body or "集体提案"
    return p.lead_member.name if p.lead_member_id else ""


def duplicate_groups(user, *, budget: float | None = None) -> dict:
    """{"groups": [...], "pending": items not compared yet, "waiting": items in the queue} for the proposal
    office; empty for anybody else. A constant number of queries once the neighbour lists are cached."""
    empty = {"groups": [], "pending": 0, "waiting": 0}
    if not r.is_proposal_office(user) or user.organisation_id is None:
        return empty
    org = user.organisation_id
    rows = list(
        visible_proposals(user)
        .filter(organisation_id=org, status=S.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("pk", "updated_at", "session_id")
    )
    found, pending = dup.groups(
        KIND,
        [(pk, dup.stamp(u)) for pk, u, _ in rows],
        organisation_ids=[org],
        text_of=_text_of,
        bucket={pk: s for pk, _, s in rows},
        budget=budget,
    )
    ids = {pk for g in found for pk in g.ids} | {pk for g in found for pk in g.references}
    details = {
        p.pk: p
        for p in visible_proposals(user)
        .filter(pk__in=ids)
        .select_related("session", "lead_member")
        .annotate(
            length=Length("reasons") + Length("suggestions"),
            people=Count("signers", filter=Q(signers__status=Signer.Status.AGREED)),
        )
    }

    def row(p, reference):
        if reference:
            detail = p.session.name + (f" · {p.number_label}" if p.number else "")
            return {
                "title": p.title,
                "status": p.status,
                "status_label": p.get_status_display(),
                "detail": detail,
                "url": reverse("proposals:detail", args=[p.pk]),
            }
        return {
            "title": p.title,
            "author": _author(p),
            "at": p.submitted_at,
            "status": p.status,
            "status_label": p.get_status_display(),
            "detail": f"{p.session.name} · 联名{p.people}人 · {p.length}字",
            "url": reverse("proposals:detail", args=[p.pk]),
        }

    out = dup.shape(
        found,
        details,
        title=lambda p: p.title,
        main_facts=lambda p: {"at": p.submitted_at, "length": p.length, "people": p.people},
        row=row,
        reference_ok=lambda p: p.status != S.DRAFT,
    )
    return {"groups": out, "pending": pending, "waiting": len(rows)}
