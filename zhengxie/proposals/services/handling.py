"""交办 and 办理: assignment (also 打包交办), receipt, change requests, contacts, co-unit opinions,
replies with their letters, and the proposers' evaluation."""

from __future__ import annotations

from django.db import transaction

from zhengxie.core import orgsettings
from zhengxie.core.errors import Forbidden, Invalid, NotFound
from zhengxie.core.models import Role
from zhengxie.core.notifications import notify, sentence
from zhengxie.core.numbering import next_number
from zhengxie.handling import selectors as spine_selectors
from zhengxie.handling import services as spine
from zhengxie.handling.services import signoff
from zhengxie.handling.services.ratings import Rater
from zhengxie.members.models import Member

from .. import rules as r
from ..models import Assignment, Proposal, Signer
from ..selectors import (
    raters,
    unit_answers,
)
from . import followup
from .common import (
    REPLYING_ROLES,
    S,
    _done,
    _load,
    _now,
    _office_users,
    _refresh_light,
    _signer_users,
    _snapshot,
    _state,
    _sync,
    _today,
    _unit_users,
    proposal_url,
)

# --- assignment (交办) ---------------------------------------------------------------------------------


def _assign(user, p, lead_unit, co_units, deadline, batch, parallel_units=()) -> Proposal:
    if not r.is_proposal_office(user, p):
        raise Forbidden("只有本级提案委员会（提案科）工作人员可以交办提案。")
    _state(p, "assign")
    before = _snapshot(p)
    done = spine.assign(
        user=user,
        case=p.case,
        lead_unit=lead_unit,
        co_units=co_units,
        parallel_units=parallel_units,
        deadline=deadline,
        co_days=int(orgsettings.get(p.organisation, "proposals.co_opinion_days")),
        batch=batch,
    )
    lead, cos, parallel, deadline, co_deadline, now = (
        done.lead,
        done.cos,
        done.parallel,
        done.deadline,
        done.co_deadline,
        done.at,
    )
    p.status = S.ASSIGNED
    p.assigned_at = now
    p.deadline = deadline
    p.save()
    _refresh_light(p)
    url = proposal_url(p)
    if parallel:
        names = "、".join(u.name for u in parallel)
        notify(
            _unit_users([u.pk for u in parallel]),
            f"新交办提案（分办）：{p.number_label}《{p.title}》",
            f"本提案由{names}分别办理，请及时签收，就本单位职责部分于 {deadline:%Y年%m月%d日} 前答复。",
            url=url,
            category="proposal",
        )
        label = f"交办：分办 {names}，期限 {deadline:%Y-%m-%d}"
    else:
        notify(
            _unit_users([lead.pk]),
            f"新交办提案（主办）：{p.number_label}《{p.title}》",
            f"请及时签收，并于 {deadline:%Y年%m月%d日} 前答复。",
            url=url,
            category="proposal",
        )
        if cos:
            notify(
                _unit_users([u.pk for u in cos]),
                f"新交办提案（会办）：{p.number_label}《{p.title}》",
                f"主办单位为{lead.name}，请于 {co_deadline:%Y年%m月%d日} 前提出会办意见。",
                url=url,
                category="proposal",
            )
        co_label = f"，会办：{'、'.join(u.name for u in cos)}" if cos else ""
        label = f"交办：主办 {lead.name}{co_label}，期限 {deadline:%Y-%m-%d}"
    _done(
        user,
        p,
        "assign",
        label,
        before,
        extra={
            "lead_unit": lead.pk,
            "co_units": [u.pk for u in cos],
            "parallel_units": [u.pk for u in parallel],
            "batch": batch,
        },
    )
    return p


def proposal_assign(
    *, user, proposal, lead_unit, co_units=(), deadline=None, batch="", parallel_units=()
) -> Proposal:
    """交办 to one lead unit (主办) and optional co-units (会办), or with parallel_units to several units that
    each answer their part (分办: lead_unit and parallel_units); deadline defaults to "proposals.reply_days"."""
    with transaction.atomic():
        p = _load(user, proposal)
        _assign(user, p, lead_unit, co_units, deadline, batch or "", parallel_units)
    return _sync(proposal, p)


def proposals_assign_batch(
    *, user, proposals, lead_unit, co_units=(), deadline=None, parallel_units=()
) -> list[Proposal]:
    """打包交办: several proposals to the same units in one transaction (all or nothing)."""
    proposals = list(proposals or ())
    if not proposals:
        raise Invalid("请至少选择一件提案。", field="proposals")
    if not r.is_proposal_office(user):
        raise Forbidden("只有提案委员会（提案科）工作人员可以交办提案。")
    out = []
    with transaction.atomic():
        org = user.organisation
        n = next_number(org, f"proposal-batch:{_today().year}")
        batch = f"{_today():%Y%m%d}-{n:03d}"
        for item in proposals:
            p = _load(user, item)
            out.append(_assign(user, p, lead_unit, co_units, deadline, batch, parallel_units))
    for item, p in zip(proposals, out, strict=True):
        _sync(item, p)
    return out


# --- handling (办理): the spine does the units' side (handling.services), the proposal its states ---------


def assignment_acknowledge(*, user, proposal) -> Proposal:
    """签收: a handler of an assigned unit confirms receipt; the lead unit's receipt starts the handling."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case) is None:
            raise Forbidden("只有承办单位的工作人员可以签收提案。")
        _state(p, "acknowledge")
        before = _snapshot(p)
        a = spine.acknowledge(user=user, case=p.case)
        if a.role in REPLYING_ROLES and p.status == S.ASSIGNED:
            p.status = S.HANDLING
            p.save()
        _refresh_light(p)
        _done(
            user,
            p,
            "acknowledge",
            f"{a.unit.name}签收（{a.get_role_display()}）",
            before,
            extra={"assignment": a.pk},
        )
    return _sync(proposal, p)


def assignment_request_change(*, user, proposal, reason) -> Proposal:
    """申请调整/退回: within "proposals.change_request_days" working days of receipt."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case) is None:
            raise Forbidden("只有承办单位的工作人员可以申请调整。")
        _state(p, "request_change")
        before = _snapshot(p)
        a = spine.request_change(user=user, case=p.case, reason=reason)
        notify(
            _office_users(p),
            f"{a.unit.name}申请调整提案：{p.number_label}《{p.title}》",
            a.change_reason,
            url=proposal_url(p),
            category="proposal",
        )
        _done(
            user,
            p,
            "request_change",
            f"{a.unit.name}申请调整承办单位",
            before,
            detail=a.change_reason,
            extra={"assignment": a.pk},
        )
    return _sync(proposal, p)


def assignment_decide_change(*, user, assignment, grant: bool, note="", new_unit=None) -> Proposal:
    """The office grants or refuses a unit's change request; granting with new_unit reassigns that part."""
    pk = getattr(assignment, "pk", assignment)
    proposal_id = Assignment.objects.filter(pk=pk).values_list("case__proposal", flat=True).first()
    if proposal_id is None:
        raise NotFound("未找到")
    with transaction.atomic():
        p = _load(user, proposal_id)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以审核调整申请。")
        _state(p, "decide_change")
        before = _snapshot(p)
        a, new, note = spine.decide_change(
            user=user, case=p.case, assignment=pk, grant=grant, note=note, new_unit=new_unit
        )
        url = proposal_url(p)
        old_users = _unit_users([a.unit_id], (Role.UNIT_HANDLER, Role.UNIT_HEAD))
        if not grant:
            notify(
                old_users,
                f"调整申请未获同意：{p.number_label}《{p.title}》",
                note or "请继续办理。",
                url=url,
                category="proposal",
            )
            _done(user, p, "decide_change", f"不同意{a.unit.name}的调整申请", before, detail=note)
            return p
        label = f"同意{a.unit.name}的调整申请"
        if new is not None:
            label += f"，改由{new.unit.name}{a.get_role_display()}"
            if a.role in REPLYING_ROLES:
                p.status = S.ASSIGNED
                p.save()
            notify(
                _unit_users([new.unit_id]),
                f"新交办提案（{a.get_role_display()}）：{p.number_label}《{p.title}》",
                f"请及时签收，并于 {a.deadline:%Y年%m月%d日} 前办理。",
                url=url,
                category="proposal",
            )
        elif a.role in REPLYING_ROLES:
            others = unit_answers(p)
            if not others:
                # No replying unit any more: back to the office to assign again.
                p.status = S.ACCEPTED
                p.deadline = None
                p.assigned_at = None
                p.save()
                label += "，待重新交办"
            elif not any(x.awaited for x in others):
                # 分办: the units left have all replied.
                p.status = S.REPLIED
                p.replied_at = _now()
                p.light = ""
                p.save()
        notify(
            old_users, f"调整申请已同意：{p.number_label}《{p.title}》", note, url=url, category="proposal"
        )
        _refresh_light(p)
        _done(
            user,
            p,
            "decide_change",
            label,
            before,
            detail=note,
            extra={"assignment": a.pk, "new_unit": new.unit_id if new else None},
        )
    return p


def assignment_record_contact(*, user, proposal, contacted_on, method, summary) -> Proposal:
    """沟通协商: the unit records a contact with the proposer."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case) is None:
            raise Forbidden("只有承办单位的工作人员可以记录沟通情况。")
        _state(p, "record_contact")
        before = _snapshot(p)
        c = spine.record_contact(
            user=user, case=p.case, contacted_on=contacted_on, method=method, summary=summary
        )
        _refresh_light(p)
        _done(
            user,
            p,
            "contact",
            f"{c.assignment.unit.name}与提案人沟通（{c.get_method_display()}）",
            before,
            detail=c.summary,
            extra={"contact": c.pk},
        )
    return _sync(proposal, p)


def assignment_co_opinion(*, user, proposal, opinion) -> Proposal:
    """会办意见: a co-unit sends its opinion to the lead unit."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case, Assignment.Role.CO) is None:
            raise Forbidden("只有会办单位可以提交会办意见。")
        _state(p, "co_opinion")
        before = _snapshot(p)
        a = spine.co_opinion(user=user, case=p.case, opinion=opinion)
        lead_ids = Assignment.objects.filter(
            case_id=p.case_id, is_active=True, role__in=REPLYING_ROLES
        ).values_list("unit_id", flat=True)
        notify(
            _unit_users(lead_ids),
            f"{a.unit.name}已提交会办意见：{p.number_label}《{p.title}》",
            url=proposal_url(p),
            category="proposal",
        )
        _done(user, p, "co_opinion", f"{a.unit.name}提交会办意见", before, detail=a.co_opinion)
    return _sync(proposal, p)


def proposal_reply(*, user, proposal, result_class, content, letter=None) -> Proposal:
    """答复: the lead unit (or, with 分办, each parallel unit for its part) replies with a class (A/B/C...) and
    its letter. The proposal is 已答复 once no unit owes a reply; proposers are asked to rate each reply.
    With "proposals.head_signoff" on, a handler's reply is a draft waiting for the unit head's 签发
    (proposal_sign); a head's own reply is signed at once."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case, *REPLYING_ROLES) is None:
            raise Forbidden("只有主办单位（或分办单位）可以答复该提案。")
        _state(p, "reply")
        before = _snapshot(p)
        if signoff.drafts_instead(user, p.case):
            d = signoff.draft(
                user=user,
                case=p.case,
                result_class=result_class,
                content=content,
                letter=letter,
            )
            unit = d.assignment.unit
            if p.status == S.ASSIGNED:
                p.status = S.HANDLING  # the draft is also the receipt
                p.save()
            _refresh_light(p)
            notify(
                _unit_users([unit.pk], (Role.UNIT_HEAD,)),
                f"待签发：提案答复 {p.number_label}《{p.title}》",
                f"{user.name or user.username}已拟写答复，请审核后签发或退回修改。",
                url=proposal_url(p),
                category="proposal",
            )
            _done(user, p, "reply_draft", f"{unit.name}拟稿答复，待负责人签发", before, extra={"draft": d.pk})
            return _sync(proposal, p)
        reply, answers, still_owed = spine.reply(
            user=user,
            case=p.case,
            result_class=result_class,
            content=content,
            letter=letter,
            letter_target=p,
            signed=signoff.required(p.case),
        )
        _replied(user, p, reply, answers, still_owed, before, "reply")
    return _sync(proposal, p)


def proposal_sign(*, user, proposal, decision, reason="") -> Proposal:
    """签发 by the head of a replying unit: "sign" sends the handler's draft (exactly as a direct reply:
    the proposers are asked to rate), "return" sends it back to the handler with the reason."""
    with transaction.atomic():
        p = _load(user, proposal)
        signoff.check_sign(user, p.case, spine.my_assignment(user, p.case, *REPLYING_ROLES))
        _state(p, "sign")
        before = _snapshot(p)
        d, reply, answers, still_owed = signoff.decide(
            user=user, case=p.case, decision=decision, reason=reason
        )
        if reply is not None:
            _replied(user, p, reply, answers, still_owed, before, "sign")
        else:
            notify(
                [d.drafted_by],
                f"答复稿被退回修改：{p.number_label}《{p.title}》",
                f"{user.name or user.username}：{d.return_reason}",
                url=proposal_url(p),
                category="proposal",
            )
            _done(
                user,
                p,
                "return_draft",
                f"{d.assignment.unit.name}负责人退回答复稿",
                before,
                detail=d.return_reason,
                extra={"draft": d.pk},
            )
    return _sync(proposal, p)


def _replied(user, p, reply, answers, still_owed, before, action: str) -> None:
    """After a unit's reply is sent (directly, or signed off from a draft): the proposal's state, the
    proposers and the office told, the timeline and audit entry, and a follow-up for a B-class reply."""
    a, now, on_time = reply.assignment, reply.replied_at, reply.on_time
    result_class = reply.result_class
    if not still_owed:
        p.status = S.REPLIED
        p.replied_at = now
        p.light = ""
    elif p.status == S.ASSIGNED:
        p.status = S.HANDLING
    p.save()
    if still_owed:
        _refresh_light(p)
    url = proposal_url(p)
    days = orgsettings.get(p.organisation, "proposals.evaluation_days")
    if len(answers) > 1:
        done_n = len(answers) - len(still_owed)
        progress = f"（分办 {done_n}/{len(answers)} 个单位已答复）"
    else:
        progress = ""
    notify(
        _signer_users(p),
        f"您的提案已答复，请评价：{p.number_label}《{p.title}》",
        f"{a.unit.name}已答复（{result_class}类）{progress}，请在 {days} 个工作日内评价。",
        url=url,
        category="proposal",
        sms=True,
    )
    notify(
        _office_users(p),
        f"{a.unit.name}已答复提案：{p.number_label}《{p.title}》{progress}",
        url=url,
        category="proposal",
    )
    timing = "按期" if on_time else "逾期"
    signed = f"，{user.name or user.username}签发" if action == "sign" else ""
    _done(
        user,
        p,
        action,
        f"{a.unit.name}答复（{result_class}类，{timing}{signed}）{progress}",
        before,
        extra={"reply": reply.pk, "result_class": result_class},
    )
    followup.open_for_reply(reply, user, p)  # B-class replies stay open for 跟踪落实


def proposal_attach_letter(*, user, proposal, upload) -> Proposal:
    """Attach (or replace) the signed reply letter (答复函, PDF or Word) of the unit's latest reply."""
    with transaction.atomic():
        p = _load(user, proposal)
        if spine.my_assignment(user, p.case, *REPLYING_ROLES) is None:
            raise Forbidden("只有主办单位（或分办单位）可以上传答复函。")
        _state(p, "attach_letter")
        before = _snapshot(p)
        a, (att,) = spine.attach_letter(user=user, case=p.case, upload=upload, target=p)
        _done(
            user,
            p,
            "attach_letter",
            f"{a.unit.name}上传答复函《{att.original_name}》",
            before,
            extra={"attachment": att.pk},
        )
    return _sync(proposal, p)


def proposal_evaluate(*, user, proposal, rating, comment="", member=None, reply=None) -> Proposal:
    """评价: each agreed signer rates each replying unit's latest reply once (with 分办 one rating per unit;
    `reply` picks which when several wait); staff may record it for a member who is not online.

    不满意 sends that unit back to re-handle with a new deadline.
    """
    with transaction.atomic():
        p = _load(user, proposal)
        if r.is_unit_user(user) and not r.is_proposal_office(user, p):
            raise Forbidden("承办单位不能代提案人评价。")
        if member not in (None, ""):
            if not r.is_proposal_office(user, p):
                raise Forbidden("只有提案委员会工作人员可以代委员录入评价。")
            mpk = getattr(member, "pk", member)
            member = Member.objects.filter(pk=mpk).first() if str(mpk).isdigit() else None
            if member is None:
                raise Invalid("请选择评价的提案人。", field="member")
        else:
            member = r.member_of(user)
            if member is None:
                raise Forbidden("只有提案人可以评价答复。")
        signer = Signer.objects.filter(proposal=p, member=member, status=Signer.Status.AGREED).first()
        if signer is None:
            raise Forbidden("只有本提案的提案人可以评价答复。")
        _state(p, "evaluate")
        before = _snapshot(p)
        rated = spine.rate(
            user=user,
            case=p.case,
            rater=Rater(label=member.name, member=member),
            rating=rating,
            comment=comment,
            reply=reply,
        )
        ev, answers, a = rated.evaluation, rated.answers, rated.assignment
        reply_obj = ev.reply
        comment = ev.comment
        by = "" if r.member_of(user) == member else f"（{user.name}代录）"
        of_unit = f"（{a.unit.name}的答复）" if len(answers) > 1 else ""
        label = f"{member.name}评价{of_unit}：{ev.get_rating_display()}{by}"
        url = proposal_url(p)
        extra = {}
        if rated.rehandle_until is not None:
            p.status = S.REHANDLING
            p.rehandle_round += 1
            p.deadline = rated.rehandle_until
            p.save()
            _refresh_light(p)
            # The follow-up of the reply rated 不满意 ended with it (domain.md, "Follow-up"): say so.
            ended = rated.followup_ended
            followup_note = (
                "该答复的跟踪落实同时终止；重新答复仍为需跟踪落实的类别时，将重新开始跟踪落实。"
                if ended
                else ""
            )
            notify(
                _office_users(p) + _unit_users([a.unit_id], (Role.UNIT_HANDLER, Role.UNIT_HEAD)),
                f"提案人对答复不满意，需重新办理：{p.number_label}《{p.title}》",
                f"{member.name}：{sentence(comment)}请于 {p.deadline:%Y年%m月%d日} 前重新答复。{followup_note}",
                url=url,
                category="proposal",
            )
            label += f"，{a.unit.name}重新办理（第{p.rehandle_round}轮）"
            if ended is not None:
                label += "，跟踪落实终止"
                extra = {"followup": ended.pk, "followup_status": ended.status}
        elif p.status == S.REPLIED:
            if spine_selectors.all_rated(answers, [s.member_id for s in raters(p)]):
                notify(
                    _office_users(p),
                    f"提案人均已评价，可办结：{p.number_label}《{p.title}》",
                    url=url,
                    category="proposal",
                )
        _done(
            user,
            p,
            "evaluate",
            label,
            before,
            detail=comment,
            extra={"member": member.pk, "rating": rating, "reply": reply_obj.pk, **extra},
        )
    return _sync(proposal, p)
