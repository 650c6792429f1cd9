"""督办: extensions, key and excellent proposals, reminders, closing (办结)."""

from __future__ import annotations

from django.db import transaction

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.handling import services as spine

from .. import rules as r
from ..models import Assignment, Proposal
from ..selectors import (
    closable,
    extension_limit,
    silent_co_units,
    unit_answers,
)
from .common import (
    S,
    _credit,
    _credit_groups,
    _done,
    _load,
    _now,
    _refresh_light,
    _signer_users,
    _snapshot,
    _state,
    _sync,
    _today,
    _unit_users,
    proposal_url,
)

# --- supervision (督办) --------------------------------------------------------------------------------


def proposal_extend(*, user, proposal, new_deadline, reason) -> Proposal:
    """延期: the office moves the deadline, at most "proposals.max_extension_days" after assignment."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以批准延期。")
        _state(p, "extend")
        before = _snapshot(p)
        old, new, reason = spine.extend(
            user=user, case=p.case, new_deadline=new_deadline, reason=reason, latest=extension_limit(p)
        )
        p.deadline = new
        p.save()
        _refresh_light(p)
        units = Assignment.objects.filter(case_id=p.case_id, is_active=True).values_list("unit_id", flat=True)
        notify(
            _unit_users(units),
            f"提案办理期限已延至 {new:%Y年%m月%d日}：{p.number_label}《{p.title}》",
            reason,
            url=proposal_url(p),
            category="proposal",
        )
        _done(
            user,
            p,
            "extend",
            f"延期：{old:%Y-%m-%d} → {new:%Y-%m-%d}" if old else f"延期至 {new:%Y-%m-%d}",
            before,
            detail=reason,
        )
    return _sync(proposal, p)


def proposal_mark_key(*, user, proposal, is_key: bool, leader=None) -> Proposal:
    """重点提案: chosen by the office (or a leader), led by a leader (领衔督办)."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not (r.is_proposal_office(user, p) or r.is_committee_leader(user, p)):
            raise Forbidden("只有提案委员会工作人员或政协领导可以确定重点提案。")
        _state(p, "mark_key")
        lead_user = None
        if is_key:
            if leader not in (None, ""):
                lpk = getattr(leader, "pk", leader)
                lead_user = User.objects.filter(
                    pk=lpk if str(lpk).isdigit() else None,
                    organisation_id=p.organisation_id,
                    groups__name=Role.LEADER,
                    is_active=True,
                ).first()
                if lead_user is None:
                    raise Invalid("领衔督办领导须为本级政协的领导。", field="leader")
            elif r.is_committee_leader(user, p):
                lead_user = user
        new_leader_id = (lead_user.pk if lead_user else p.key_leader_id) if is_key else None
        if bool(is_key) == p.is_key and new_leader_id == p.key_leader_id:
            raise Conflict("该提案已是重点提案。" if is_key else "该提案不是重点提案。", code="unchanged")
        before = _snapshot(p)
        was_key = p.is_key
        p.is_key = bool(is_key)
        p.key_leader_id = new_leader_id
        p.save()
        if is_key and not was_key:
            _credit("proposal_key", _credit_groups(p), _today())
        elif was_key and not is_key:
            _credit("proposal_key", _credit_groups(p), revoke=True)
        url = proposal_url(p)
        lead_user = p.key_leader if p.key_leader_id else None
        if is_key:
            if lead_user is not None and lead_user.pk != user.pk:
                notify(
                    [lead_user],
                    f"请您领衔督办重点提案：{p.number_label}《{p.title}》",
                    url=url,
                    category="proposal",
                )
            notify(
                _signer_users(p),
                f"您的提案被确定为重点提案：{p.number_label}《{p.title}》",
                url=url,
                category="proposal",
            )
            label = "确定为重点提案" + (f"，{lead_user.name}领衔督办" if lead_user else "")
        else:
            label = "取消重点提案"
        _done(user, p, "mark_key", label, before, extra={"key_leader": p.key_leader_id})
    return _sync(proposal, p)


def proposal_mark_excellent(*, user, proposal, value: bool) -> Proposal:
    """优秀提案 award (or its withdrawal); credits every proposer's duty record."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以评定优秀提案。")
        _state(p, "mark_excellent")
        if bool(value) == p.is_excellent:
            raise Conflict("该提案已是优秀提案。" if value else "该提案不是优秀提案。", code="unchanged")
        before = _snapshot(p)
        p.is_excellent = bool(value)
        p.save()
        _credit("proposal_excellent", _credit_groups(p), _today(), revoke=not value)
        if value:
            notify(
                _signer_users(p),
                f"您的提案被评为优秀提案：{p.number_label}《{p.title}》",
                url=proposal_url(p),
                category="proposal",
            )
        _done(user, p, "mark_excellent", "评为优秀提案" if value else "撤销优秀提案", before)
    return _sync(proposal, p)


def proposal_remind(*, user, proposal) -> Proposal:
    """督办提醒 to the handling units' handlers; when the light is red also to the units' heads."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以发送督办提醒。")
        _state(p, "remind")
        before = _snapshot(p)
        active = list(Assignment.objects.filter(case_id=p.case_id, is_active=True).select_related("unit"))
        owing = {x.assignment.pk for x in unit_answers(p, assignments=active) if x.awaited}
        # Units that still owe something: a reply (分办 units that replied are left alone) or a 会办意见.
        units = [
            a.unit_id for a in active if a.pk in owing or (a.role == Assignment.Role.CO and not a.co_opinion)
        ]
        roles = (Role.UNIT_HANDLER, Role.UNIT_HEAD) if p.light == Proposal.Light.RED else (Role.UNIT_HANDLER,)
        users = _unit_users(units, roles)
        when = f"办理期限 {p.deadline:%Y年%m月%d日}" if p.deadline else ""
        state = {"red": "已超期", "yellow": "临近期限或节点滞后"}.get(p.light, "")
        notify(
            users,
            f"督办提醒：{p.number_label}《{p.title}》" + (f"（{state}）" if state else ""),
            f"{when}，请抓紧办理并按时答复。",
            url=proposal_url(p),
            category="proposal",
            sms=p.light == "red",
        )
        names = "、".join(a.unit.name for a in active if a.unit_id in units)
        _done(user, p, "remind", f"督办提醒：{names}", before, extra={"notified": len(users)})
    return _sync(proposal, p)


def proposal_close(*, user, proposal, reason: str = "") -> Proposal:
    """办结: from replied, when the proposers rated it positively or the evaluation time has passed. A 会办
    unit that never gave its 会办意见 stops it unless the office records why it closes anyway (`reason`,
    kept in the audit entry and on the timeline)."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise Invalid("办结理由不能超过 500 字。", field="reason")
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以办结提案。")
        _state(p, "close")
        ok, why = closable(p)
        if not ok:
            raise Conflict(why, code="not_closable")
        silent = [u.name for u in silent_co_units(p)]
        if silent and not reason:
            raise Conflict(
                f"会办单位{'、'.join(silent)}从未提出会办意见：请联系其补交，或填写仍予办结的理由。",
                code="co_unit_silent",
                field="reason",
            )
        before = _snapshot(p)
        p.status = S.CLOSED
        p.closed_at = _now()
        p.light = ""
        p.save()
        url = proposal_url(p)
        units = Assignment.objects.filter(case_id=p.case_id, is_active=True).values_list("unit_id", flat=True)
        notify(
            _signer_users(p) + _unit_users(units),
            f"提案已办结：{p.number_label}《{p.title}》",
            url=url,
            category="proposal",
        )
        extra = {"silent_co_units": silent, "reason": reason} if silent else None
        detail = f"会办单位{'、'.join(silent)}未提出会办意见，办结理由：{reason}" if silent else ""
        _done(user, p, "close", "办结", before, detail=detail, extra=extra)
    return _sync(proposal, p)
