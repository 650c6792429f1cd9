"""A member's proposal to-dos (the workbench cards) as filters on proposals: the cards count them in one
aggregate and 我的提案's ?todo= lists exactly the same proposals."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from .. import workflow as wf
from ..models import Evaluation, Reply, Signer
from .join import waiting_join_requests

# The cards, in the order shown: key -> label.
LABELS = {
    "rate": "待评价的提案答复",
    "cosign": "待确认的联名附议",
    "join": "有加入申请待处理的提案",
    "drafts": "提案草稿",
}


def mine_q(user, member) -> Q:
    """The proposals a member writes or is on the list of signers of (in any status)."""
    return Q(author_id=user.pk) | Q(pk__in=Signer.objects.filter(member_id=member.pk).values("proposal_id"))


def member_todo_q(user, member) -> dict[str, Q]:
    """Per card, which of the member's proposals it counts:
    - rate: signed (agreed) and in a rating state, with a unit's latest reply (not replaced by a
      re-handling one) that is not sent back and not yet rated by this member;
    - cosign: the member is invited to co-sign and the proposal still waits for co-signers;
    - join: requests to join the member's own proposal wait for their answer;
    - drafts: the member's own drafts."""
    signed = Signer.objects.filter(member_id=member.pk, status=Signer.Status.AGREED).values("proposal_id")
    rated = Evaluation.objects.filter(reply_id=OuterRef("pk"), member_id=member.pk)
    sent_back = Evaluation.objects.filter(reply_id=OuterRef("pk"), rating=Evaluation.Rating.UNSATISFIED)
    unrated = Reply.objects.filter(
        case_id=OuterRef("case_id"), assignment__is_active=True, is_latest=True
    ).filter(~Exists(rated), ~Exists(sent_back))
    invited = Signer.objects.filter(
        member_id=member.pk, role=Signer.Role.COSIGNER, status=Signer.Status.INVITED
    ).values("proposal_id")
    return {
        "rate": Q(status__in=wf.EVALUATION_STATES, pk__in=signed) & Q(Exists(unrated)),
        "cosign": Q(pk__in=invited, status__in=wf.states("cosign")),
        "join": Q(pk__in=waiting_join_requests(user).values("proposal_id")),
        "drafts": Q(author_id=user.pk, status__in=wf.states("edit")),
    }
