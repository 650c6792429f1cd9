"""Shared helpers of the proposal services: loading with a row lock, state checks, audit + timeline,
recipients, search indexing, lights and duty-record credit."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, NotFound
from zhengxie.core.models import Role, User
from zhengxie.handling.models import Case
from zhengxie.handling.services import open_case
from zhengxie.handling.services import units as spine_units
from zhengxie.members.models import Member

from .. import reporting, workflow
from ..lights import REPLYING_ROLES, light_of  # noqa: F401  (the services import it from here)
from ..models import Event, Proposal, Signer
from ..selectors import (
    visible_proposals,
)

S = Proposal.Status
TEXT_FIELDS = ("title", "reasons", "suggestions", "category", "research_note", "collective_body")
UPDATABLE = set(TEXT_FIELDS) | {"cosigner_ids", "kind"}


# --- small helpers ------------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


def proposal_url(p) -> str:
    try:
        return reverse("proposals:detail", args=[p.pk])
    except NoReverseMatch:
        return f"/proposals/{p.pk}/"


def _snapshot(p) -> dict:
    return {
        "status": p.status,
        "number": p.number,
        "category": p.category,
        "kind": p.kind,
        "deadline": p.deadline.isoformat() if p.deadline else None,
        "light": p.light or None,
        "is_key": p.is_key,
        "is_excellent": p.is_excellent,
        "round": p.rehandle_round,
    }


def _load(user, proposal) -> Proposal:
    """The proposal, freshly read and row-locked, if the user may see it; else NotFound (404)."""
    pk = getattr(proposal, "pk", proposal)
    if pk is None or not visible_proposals(user).filter(pk=pk).exists():
        raise NotFound("未找到")
    p = (
        Proposal.objects.select_related("session", "organisation", "case", "case__organisation")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )
    if p.case_id is None:  # made outside the services (an import, say): open its case now
        open_case(kind="proposal", item=p, organisation_id=p.organisation_id, **reporting.facts(p))
    if p.case_id and Proposal._meta.get_field("case").get_cached_value(p, default=None) is None:
        # Locked after a concurrent change that opened the case: PostgreSQL re-reads the locked row but
        # not the joined one, so read the case now.
        p.case = Case.objects.select_related("organisation").get(pk=p.case_id)
    for name, value in reporting.facts(p).items():  # the proposal is the source of its case's facts
        setattr(p.case, name, value)
    return p


def _sync(caller, fresh: Proposal) -> Proposal:
    if isinstance(caller, Proposal) and caller is not fresh:
        caller.refresh_from_db()
    return fresh


def _state(p, action: str):
    """The workflow table's guard (workflow.TRANSITIONS): 409 when the state does not allow the action."""
    if not workflow.may(action, p):
        raise Conflict(
            f"该提案当前状态为「{p.get_status_display()}」，不能{workflow.verb(action)}。", code="bad_state"
        )


def _event(p, user, action: str, label: str, detail: str = "") -> Event:
    return Event.objects.create(
        case_id=p.case_id,
        actor=user if user is not None and user.pk else None,
        actor_label=(getattr(user, "name", "") or getattr(user, "username", ""))[:100] if user else "系统",
        action=action,
        label=label[:200],
        detail=detail,
    )


def _done(user, p, action: str, label: str, before: dict, *, detail: str = "", extra: dict | None = None):
    """Write the audit entry and the timeline event of a successful transition, and bring the proposal's
    statistics copies up to date (reporting.sync). Call it last in the transaction: on PostgreSQL the audit
    chain's lock (core.auditchain) is held from the entry's insert until commit and every audited write of
    the platform waits for it, so slow work (the search index) comes before."""
    reporting.sync([p.pk])
    after = _snapshot(p)
    if extra:
        after.update(extra)
    audit.record(user, f"proposals.{action}", p, before=before, after=after)
    _event(p, user, action, label, detail)


# The spine's date input (texts: core.textinput.plain_text, imported where used).
_as_date = spine_units.as_date


def _signer_users(p, statuses=(Signer.Status.AGREED,)) -> list[User]:
    return list(
        User.objects.filter(
            member__signatures__proposal=p, member__signatures__status__in=statuses, is_active=True
        ).distinct()
    )


def _office_users(p) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=p.organisation_id, office="proposal", groups__name=Role.STAFF, is_active=True
        ).distinct()
    )


def _unit_users(unit_ids, roles=(Role.UNIT_HANDLER,)) -> list[User]:
    return list(
        User.objects.filter(
            handling_unit_id__in=list(unit_ids), groups__name__in=list(roles), is_active=True
        ).distinct()
    )


def _index(p):
    from zhengxie.search.services import index_document

    index_document(
        kind="proposal",
        object_id=p.pk,
        organisation_id=p.organisation_id,
        title=p.title,
        body=f"{p.reasons}\n{p.suggestions}",
        year=p.session.year,
    )


def _refresh_light(p):
    """Recompute the light of the proposal's case after a change (the spine writes it to both)."""
    reporting.sync([p.pk])
    p.light = light_of(p)


def _categories(org) -> list[str]:
    return list(orgsettings.get(org, "proposals.categories"))


# --- duty records (performance.services.record_act) --------------------------------------------------


def _shares(p) -> list[tuple[Member, float]]:
    """Credit split among a proposal's own agreed signers: the first proposer half, the rest the other half."""
    own = list(
        Signer.objects.filter(proposal=p, via_merge__isnull=True, status=Signer.Status.AGREED)
        .select_related("member")
        .order_by("order", "id")
    )
    lead = [s for s in own if s.role == Signer.Role.LEAD]
    others = [s for s in own if s.role != Signer.Role.LEAD]
    if not lead and not others:
        return []
    if not others:
        return [(lead[0].member, 1.0)]
    if not lead:
        return [(s.member, round(1.0 / len(others), 4)) for s in others]
    return [(lead[0].member, 0.5)] + [(s.member, round(0.5 / len(others), 4)) for s in others]


def _credit_groups(p) -> list[tuple[Proposal, list]]:
    """(source proposal, [(member, share)]) for the proposal and every proposal merged into it (并案)."""
    groups = [(p, _shares(p))]
    for m in Proposal.objects.filter(merged_into=p).order_by("id"):
        groups.extend(_credit_groups(m))
    return groups


def _credit(act: str, groups, occurred_on=None, *, revoke: bool = False):
    from zhengxie.performance import services as perf

    for source, pairs in groups:
        for member, share in pairs:
            if revoke:
                perf.revoke_act(member=member, act=act, source=source)
            else:
                perf.record_act(
                    member=member, act=act, source=source, occurred_on=occurred_on or _today(), share=share
                )
