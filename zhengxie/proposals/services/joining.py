"""申请加入 (join instead): a member who finds a proposal on the same matter asks to join it; the first
proposer (the author) agrees or declines. Agreed, the member signs it as a co-signer (附议人) and an
individual proposal becomes a joint one (联名提案).

A request is a Signer with role cosigner and status "requested". It is never a signature: credits
(common._shares), raters (selectors.raters), notices (common._signer_users) and 并案 read agreed signers
only. Requests still pending when the proposal is reviewed lapse (lapse_join_requests).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member

from .. import rules as r
from ..models import Proposal, Signer
from ..selectors import visible_proposals
from ..selectors.join import JOINABLE
from .common import _done, _event, _now, _snapshot, _state, _sync, proposal_url

ALREADY = {
    Signer.Status.REQUESTED: ("您已申请加入该提案，请等待第一提案人确认。", "already_requested"),
    Signer.Status.AGREED: ("您已是该提案的提案人（已附议），无需再申请加入。", "already_signer"),
    Signer.Status.INVITED: ("您已受邀附议该提案，请在附议邀请中确认即可。", "already_invited"),
    Signer.Status.DECLINED: ("您已拒绝附议或加入申请未获同意，不能再次申请加入该提案。", "already_declined"),
    Signer.Status.DROPPED: ("您已被移出该提案的附议人，不能再次申请加入。", "already_dropped"),
}


def _load_joinable(user, proposal) -> Proposal:
    """The proposal, row-locked, if the user may see it or could join it (a proposal of the member's own
    committee waiting for co-signers or review); else NotFound (another county's, a draft, ...)."""
    pk = getattr(proposal, "pk", proposal)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("未找到")
    member = r.member_of(user)
    seen = visible_proposals(user).filter(pk=pk).exists() or (
        member is not None
        and Proposal.objects.filter(
            pk=pk, organisation_id=member.organisation_id, status__in=JOINABLE
        ).exists()
    )
    if not seen:
        raise NotFound("未找到")
    return (
        Proposal.objects.select_related("session", "organisation", "author")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


def proposal_request_join(*, user, proposal, drop_draft=None) -> Proposal:
    """申请加入: the member asks the first proposer to join the proposal as a co-signer. With `drop_draft`
    (the member's own draft on the same matter) that draft is deleted in the same transaction."""
    from .drafting import proposal_delete_draft

    with transaction.atomic():
        p = _load_joinable(user, proposal)
        member = r.member_of(user)
        if member is None:
            raise Forbidden("只有委员可以申请加入提案。")
        if member.status != Member.Status.ACTIVE:
            raise Forbidden("您的委员身份目前不在任，不能申请加入提案。")
        if member.organisation_id != p.organisation_id:
            raise Forbidden("只能申请加入本级政协委员的提案。")
        if r.is_author(user, p) or p.lead_member_id == member.pk:
            raise Forbidden("这是您自己的提案，不能申请加入。")
        _state(p, "request_join")
        if p.kind == Proposal.Kind.COLLECTIVE:
            raise Conflict("集体提案以提案单位名义提出，不接受委员个人加入。", code="collective")
        if not p.session.is_current:
            raise Conflict("只能申请加入本次会议（当前会次）的提案。", code="not_current_session")
        existing = Signer.objects.filter(proposal=p, member=member).first()
        if existing is not None:
            message, code = ALREADY.get(existing.status, ("您已在该提案的提案人名单中。", "already_signer"))
            raise Conflict(message, code=code)
        if drop_draft is not None and getattr(drop_draft, "pk", drop_draft) == p.pk:
            raise Invalid("要删除的草稿不能是申请加入的提案。", field="drop_draft")
        before = _snapshot(p)
        order = (Signer.objects.filter(proposal=p).aggregate(m=Max("order"))["m"] or 0) + 1
        Signer.objects.create(
            proposal=p,
            member=member,
            role=Signer.Role.COSIGNER,
            status=Signer.Status.REQUESTED,
            order=order,
            invited_at=_now(),
        )
        notify(
            [p.author],
            f"{member.name}申请加入您的提案《{p.title}》",
            "请在提案页面同意或拒绝；同意后该委员作为附议人联名，提案立案审查前有效。",
            url=proposal_url(p),
            category="proposal",
        )
        _done(user, p, "join_request", f"{member.name}申请加入该提案", before, extra={"member": member.pk})
        if drop_draft is not None:
            proposal_delete_draft(user=user, proposal=drop_draft)
    return _sync(proposal, p)


def _requester(p, member) -> Signer:
    pk = getattr(member, "pk", member)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Invalid("委员编号格式不正确。", field="member_id")
    signer = (
        Signer.objects.filter(proposal=p, member_id=pk, role=Signer.Role.COSIGNER)
        .select_related("member__user")
        .first()
    )
    if signer is None:
        raise Invalid("该委员没有申请加入本提案。", field="member_id")
    return signer


def proposal_decide_join(*, user, proposal, member, accept: bool) -> Proposal:
    """The first proposer agrees to (the member signs as a co-signer; 个人提案 → 联名提案) or declines a
    request to join; the requester is told either way."""
    with transaction.atomic():
        p = _load_joinable(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有第一提案人可以同意或拒绝加入申请。")
        _state(p, "decide_join")
        signer = _requester(p, member)
        if signer.status != Signer.Status.REQUESTED:
            raise Conflict("该委员的加入申请已处理过。", code="already_decided")
        before = _snapshot(p)
        signer.status = Signer.Status.AGREED if accept else Signer.Status.DECLINED
        signer.responded_at = _now()
        signer.save(update_fields=["status", "responded_at"])
        name = signer.member.name
        if accept:
            label = f"同意{name}加入，{name}作为附议人联名"
            if p.kind == Proposal.Kind.INDIVIDUAL:
                p.kind = Proposal.Kind.JOINT
                p.save(update_fields=["kind", "updated_at"])
                label += "，提案改为联名提案"
            # A submitted proposal's "proposal_submit" duty record was written at submission and stays as it
            # was; the new co-signer is credited with the others when the proposal is accepted (立案).
            notify(
                [signer.member.user],
                f"第一提案人已同意您加入提案《{p.title}》",
                "您已作为附议人联名该提案。",
                url=proposal_url(p),
                category="proposal",
            )
        else:
            label = f"未同意{name}加入"
            notify(
                [signer.member.user],
                f"第一提案人未同意您加入提案《{p.title}》",
                "您可以继续提交自己的提案。",
                url=proposal_url(p),
                category="proposal",
            )
        _done(
            user,
            p,
            "join_decision",
            label,
            before,
            extra={"member": signer.member_id, "accept": bool(accept)},
        )
    return _sync(proposal, p)


def lapse_join_requests(user, p) -> list[Signer]:
    """Called by the review (立案审查) inside its transaction: requests the first proposer has not answered
    lapse. They are marked declined (not left pending) so that nobody can act on them any more and the
    requesters see the outcome; they were never signatures, so no credit or rating is affected."""
    pending = list(
        Signer.objects.filter(proposal=p, status=Signer.Status.REQUESTED).select_related("member__user")
    )
    if not pending:
        return []
    Signer.objects.filter(pk__in=[s.pk for s in pending]).update(
        status=Signer.Status.DECLINED, responded_at=_now()
    )
    names = "、".join(s.member.name for s in pending)
    notify(
        [s.member.user for s in pending],
        f"您申请加入的提案《{p.title}》已完成立案审查，申请已失效",
        "第一提案人在审查前未处理您的加入申请。",
        url=proposal_url(p),
        category="proposal",
    )
    audit.record(
        user,
        "proposals.join_lapsed",
        p,
        before=None,
        after={"members": [s.member_id for s in pending], "status": p.status},
    )
    _event(p, user, "join_lapsed", f"立案审查时未处理的加入申请已失效（{names}）")
    return pending
