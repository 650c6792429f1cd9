"""立案审查: accept with a gap-free session number, reject with a listed reason, convert, merge (并案)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from zhengxie.core.models import User
from zhengxie.core.notifications import notify
from zhengxie.core.numbering import next_number
from zhengxie.core.textinput import plain_text

from .. import rules as r
from ..models import Proposal, Signer
from ..selectors import ACCEPTED_OR_LATER, visible_proposals
from .common import (
    S,
    _categories,
    _credit,
    _credit_groups,
    _done,
    _event,
    _load,
    _now,
    _signer_users,
    _snapshot,
    _state,
    _sync,
    _today,
    proposal_url,
)
from .joining import lapse_join_requests

# --- review (立案审查) ---------------------------------------------------------------------------------

# Where a converted proposal goes: the module that takes it registers `fn(user=, proposal=)` for its
# Proposal.ConvertedTo value (opinions registers "opinion": the proposal becomes a 社情民意 item).
CONVERTERS: dict[str, object] = {}


def register_converter(converted_to: str, fn) -> None:
    CONVERTERS[converted_to] = fn


# What a review lacks, said by the service and by the review form alike (forms.ReviewForm.clean).
REASON_REQUIRED = "不予立案须选择理由。"
OTHER_REASON_NEEDS_TEXT = "选择“其他”时请写明不予立案的具体理由。"
MERGE_TARGET_REQUIRED = "并案须选择要并入的提案。"


def _reject_reason(org, reason: str) -> tuple[str, str]:
    reasons = list(orgsettings.get(org, "proposals.reject_reasons"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if reason in reasons and reason != "其他":
        return reason, ""
    if reason.startswith("其他"):
        text = reason[2:].lstrip("：:，, ").strip()
        if text:
            return "其他", text
        raise Invalid(OTHER_REASON_NEEDS_TEXT, field="reason")
    raise Invalid("不予立案理由须从列表中选择；列表之外的理由请选择“其他”并写明。", field="reason")


def _resolve_merge_target(user, p, merge_into) -> Proposal:
    if merge_into in (None, ""):
        raise Invalid(MERGE_TARGET_REQUIRED, field="merge_into")
    pk = getattr(merge_into, "pk", merge_into)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Invalid("并入的提案编号不正确。", field="merge_into")
    target = (
        Proposal.objects.select_related("session")
        .select_for_update(of=("self",))
        .filter(pk=pk, organisation_id=p.organisation_id)
        .first()
    )
    if target is None or not visible_proposals(user).filter(pk=pk).exists():
        raise Invalid("要并入的提案不存在。", field="merge_into")
    if target.pk == p.pk:
        raise Invalid("不能并入提案自身。", field="merge_into")
    if target.session_id != p.session_id:
        raise Invalid("只能并入同一会次的提案。", field="merge_into")
    if target.status not in (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.HANDLING):
        raise Invalid(
            f"只能并入待审查或已立案的提案（该提案为「{target.get_status_display()}」）。", field="merge_into"
        )
    return target


def proposal_review(*, user, proposal, decision, reason="", merge_into=None, category=None) -> Proposal:
    """立案审查: accept (with a gap-free session number), reject (with a listed reason), convert or merge."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以审查立案。")
        _state(p, "review")
        before = _snapshot(p)
        reason = plain_text(reason, "审查意见")
        url = proposal_url(p)
        proposers = _signer_users(p)
        if category not in (None, ""):
            if category not in _categories(p.organisation):
                raise Invalid("请选择有效的提案类别。", field="category")
            p.category = category
        if decision == "accept":
            p.number = next_number(p.organisation, f"proposal:{p.session_id}")
            p.status = S.ACCEPTED
            p.accepted_at = _now()
            p.review_note = reason
            p.save()
            _credit("proposal_accept", _credit_groups(p), _today())
            notify(
                proposers + _signer_users_of_merged(p),
                f"您的提案已立案：{p.number_label}《{p.title}》",
                "提案已立案，将交有关单位办理。",
                url=url,
                category="proposal",
            )
            _done(user, p, "accept", f"立案，案号{p.number_label}", before)
        elif decision == "reject":
            listed, text = _reject_reason(p.organisation, reason)
            p.status = S.REJECTED
            p.reject_reason = listed
            p.review_note = text
            p.save()
            shown = text if listed == "其他" else listed
            notify(
                proposers, f"您的提案《{p.title}》不予立案", f"理由：{shown}", url=url, category="proposal"
            )
            _done(user, p, "reject", f"不予立案：{shown}", before)
        elif decision in ("to_suggestion", "to_opinion"):
            p.status = S.CONVERTED
            p.converted_to = (
                Proposal.ConvertedTo.SUGGESTION
                if decision == "to_suggestion"
                else Proposal.ConvertedTo.OPINION
            )
            p.review_note = reason
            p.save()
            if p.converted_to in CONVERTERS:
                CONVERTERS[p.converted_to](user=user, proposal=p)
            what = p.get_converted_to_display()
            notify(proposers, f"您的提案《{p.title}》{what}", reason, url=url, category="proposal")
            _done(user, p, "convert", what + (f"：{reason}" if reason else ""), before)
        elif decision == "merge":
            target = _resolve_merge_target(user, p, merge_into)
            _merge(user, p, target, reason)
        else:
            raise Invalid(
                "审查决定须为：立案、不予立案、转为意见建议、转社情民意信息或并案。", field="decision"
            )
        # Requests to join (申请加入) the first proposer has not answered lapse with the review: they are marked
        # declined and the requesters told. They never counted: credits and notices above read agreed signers.
        lapse_join_requests(user, p)
    return _sync(proposal, p)


def proposal_review_and_assign(*, user, proposal, lead_unit=None, is_key=False, **review) -> Proposal:
    """立案审查 whose 立案 also gives the proposal to one lead unit (主办, the default deadline) and marks it
    重点提案, each when asked — all in one transaction: a refused 交办 or 重点 undoes the 立案 too. Each step is
    its own service with its permission, audit entry and notices; another decision ignores unit and key.
    会办, 分办 or another deadline go through the 交办 page."""
    from .handling import proposal_assign
    from .supervision import proposal_mark_key

    with transaction.atomic():
        p = proposal_review(user=user, proposal=proposal, **review)
        if review.get("decision") == "accept":
            if lead_unit is not None:
                proposal_assign(user=user, proposal=p, lead_unit=lead_unit)
            if is_key:
                proposal_mark_key(user=user, proposal=p, is_key=True)
    return _sync(proposal, p)


def _signer_users_of_merged(p) -> list[User]:
    return list(
        User.objects.filter(
            member__signatures__proposal__merged_into=p, member__signatures__status=Signer.Status.AGREED
        ).distinct()
    )


def _merge(user, p, target, reason):
    before = _snapshot(p)
    target_before = _snapshot(target)
    p.status = S.MERGED
    p.merged_into = target
    p.review_note = reason
    p.save()
    have = set(Signer.objects.filter(proposal=target).values_list("member_id", flat=True))
    order = (Signer.objects.filter(proposal=target).aggregate(m=Max("order"))["m"] or 0) + 1
    carried = []
    for s in Signer.objects.filter(proposal=p, status=Signer.Status.AGREED).select_related("member"):
        if s.member_id in have:
            continue
        carried.append(
            Signer(
                proposal=target,
                member=s.member,
                role=Signer.Role.COSIGNER,
                status=Signer.Status.AGREED,
                order=order,
                responded_at=_now(),
                via_merge=s.via_merge or p,
            )
        )
        order += 1
    Signer.objects.bulk_create(carried)
    if target.status in ACCEPTED_OR_LATER:
        _credit("proposal_accept", _credit_groups(p), _today())
    notify(
        _signer_users(p),
        f"您的提案《{p.title}》已并案",
        f"已并入{target.number_label}《{target.title}》一并办理，您仍为提案人之一，将收到答复并参与评价。",
        url=proposal_url(target),
        category="proposal",
    )
    _done(
        user,
        p,
        "merge",
        f"并入{target.number_label}《{target.title}》",
        before,
        extra={"merged_into": target.pk},
    )
    audit.record(
        user, "proposals.merged_in", target, before=target_before, after={**_snapshot(target), "merged": p.pk}
    )
    _event(target, user, "merged_in", f"并入提案《{p.title}》（提案人随案合并）")


def _ids(value, field: str) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        raise Invalid("请选择要并入的提案。", field=field)
    out = []
    for v in value:
        if isinstance(v, bool) or not str(v).isdigit():
            raise Invalid("提案编号不正确。", field=field)
        if int(v) not in out:
            out.append(int(v))
    return out


def proposal_merge_group(*, user, main, others, reason="") -> Proposal:
    """一键并案 of a group of near-duplicates (the review queue's 疑似重复): every proposal of `others`, each
    waiting for review, is merged into `main` as by proposal_review(decision="merge") — its signers keep
    their credit and are told — all in one transaction (one refused, none merged)."""
    main_pk = getattr(main, "pk", main)
    if isinstance(main_pk, bool) or not str(main_pk or "").isdigit():
        raise Invalid("请选择主提案。", field="main")
    main_pk = int(main_pk)
    other_pks = _ids(others, "others")
    visible = set(visible_proposals(user).filter(pk__in=[main_pk, *other_pks]).values_list("pk", flat=True))
    if main_pk not in visible or any(pk not in visible for pk in other_pks):
        raise NotFound("未找到")
    if main_pk in other_pks:
        raise Invalid("主提案不能同时并入自身。", field="others")
    with transaction.atomic():
        target = Proposal.objects.select_for_update(of=("self",)).get(pk=main_pk)
        if not r.is_proposal_office(user, target):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以并案。")
        if target.status not in (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.HANDLING):
            raise Conflict(
                f"主提案当前为「{target.get_status_display()}」，只能并入待审查或已立案的提案。",
                code="bad_state",
            )
        for pk in other_pks:
            proposal_review(user=user, proposal=pk, decision="merge", merge_into=main_pk, reason=reason)
        target.refresh_from_db()
    return target


BATCH_MAX = 100  # the queue's largest page


def proposals_accept_batch(*, user, proposals, note: str = "") -> dict:
    """批量立案 from the review queue: each chosen proposal goes through proposal_review(decision="accept")
    — the single 立案, with its own number, notices, credit and audit entry — in a transaction of its own,
    in the queue's order (oldest submission first, so numbers follow it). One that cannot be accepted (a
    colleague decided it meanwhile, it was withdrawn, it is not this office's) is listed with the reason and
    does not stop the others: at the peak a stale row must not cost the office the rest of its selection.

    Returns {"accepted": [Proposal …], "refused": [(id, title, message, code) …]}."""
    pks = []
    for v in proposals if isinstance(proposals, (list, tuple)) else ():
        v = getattr(v, "pk", v)
        if isinstance(v, bool) or not str(v).isdigit() or int(v) >= 2**53:
            raise Invalid("所选提案编号不正确。", field="ids")
        if int(v) not in pks:
            pks.append(int(v))
    if not pks:
        raise Invalid("请先勾选要立案的提案。", field="ids")
    if len(pks) > BATCH_MAX:
        raise Invalid(f"一次最多立案 {BATCH_MAX} 件提案。", field="ids")
    if not r.is_proposal_office(user):
        raise Forbidden("只有本级提案委员会（提案科）工作人员可以审查立案。")
    seen = {
        p.pk: p
        for p in visible_proposals(user).filter(pk__in=pks).only("pk", "title", "submitted_at", "status")
    }
    order = sorted(seen.values(), key=lambda p: (p.submitted_at is None, p.submitted_at, p.pk))
    accepted, refused = [], []
    for pk in pks:
        if pk not in seen:
            refused.append((pk, "", "未找到该提案，或您无权查看。", "not_found"))
    for p in order:
        try:
            accepted.append(proposal_review(user=user, proposal=p.pk, decision="accept", reason=note))
        except ServiceError as exc:
            refused.append((p.pk, p.title, exc.message, exc.code or ""))
    return {"accepted": accepted, "refused": refused}
