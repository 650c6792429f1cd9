"""Reads for 申请加入 (a member joins a proposal already on the same matter instead of writing another one).

A proposal can be joined while it is waiting for its co-signers or for review (立案审查), in the current
session, by an active member of the same committee who is neither its author nor already on its list of
signers (in any status). Collective proposals (集体提案) are in a body's name: nobody joins them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from zhengxie.members.models import Member

from .. import rules as r
from ..models import Proposal, Signer
from ..workflow import JOINABLE

S = Proposal.Status


def joinable_proposals(user) -> QuerySet[Proposal]:
    """The proposals this user could ask to join now (one query when evaluated)."""
    member = r.member_of(user)
    if member is None or member.status != Member.Status.ACTIVE:
        return Proposal.objects.none()
    signed = Signer.objects.filter(member_id=member.pk).values("proposal_id")
    return (
        Proposal.objects.filter(
            organisation_id=member.organisation_id, status__in=JOINABLE, session__is_current=True
        )
        .exclude(kind=Proposal.Kind.COLLECTIVE)
        .exclude(author_id=user.pk)
        .exclude(pk__in=signed)
    )


def mark_joinable(user, items: list[dict]) -> list[dict]:
    """Sets item["joinable"] on similar-proposal hints (dicts with "id"), in one query for the whole list."""
    ids = [s["id"] for s in items]
    joinable = set(joinable_proposals(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for s in items:
        s["joinable"] = s["id"] in joinable
    return items


def join_requests(proposal) -> list[Signer]:
    """Pending requests to join, from the prefetched signers when there are some."""
    cache = getattr(proposal, "_prefetched_objects_cache", {})
    signers = (
        cache["signers"]
        if "signers" in cache
        else (Signer.objects.filter(proposal=proposal).select_related("member"))
    )
    return [s for s in signers if s.status == Signer.Status.REQUESTED]


def can_decide_joins(user, proposal) -> bool:
    """The first proposer (the proposal's author) answers requests to join, until the proposal is reviewed."""
    return r.is_author(user, proposal) and proposal.status in JOINABLE


def waiting_join_requests(user) -> QuerySet[Signer]:
    """Requests to join the user's own proposals that wait for their decision (workbench to-do)."""
    return Signer.objects.filter(
        status=Signer.Status.REQUESTED, proposal__author_id=user.pk, proposal__status__in=JOINABLE
    )
