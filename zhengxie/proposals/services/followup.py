"""跟踪落实: a reply of a follow-up class (default B: 正在解决或已列入计划逐步解决) stays open until the
promised work is done. One active follow-up per replying unit (assignment): the unit sets its planned
completion date, reports progress and declares it done; the proposal office confirms or sends it back.
"""

from __future__ import annotations

from django.db import transaction

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Role
from zhengxie.core.notifications import notify
from zhengxie.handling.services import followups as spine_followups

from ..models import FollowUp
from ..selectors.followup import visible_followups
from .common import (
    _done,
    _load,
    _office_users,
    _signer_users,
    _snapshot,
    _unit_users,
    proposal_url,
)

F = FollowUp.Status


def _before(p, f) -> dict:
    return {
        **_snapshot(p),
        "followup": f.pk,
        "followup_status": f.status,
        "planned_date": f.planned_date.isoformat() if f.planned_date else None,
    }


def _after(f) -> dict:
    return {
        "followup": f.pk,
        "followup_status": f.status,
        "planned_date": f.planned_date.isoformat() if f.planned_date else None,
    }


def open_for_reply(reply, user, p) -> FollowUp | None:
    """Called by proposal_reply inside its transaction: a reply of a follow-up class opens the unit's follow-up
    (or keeps its active one, now following the new reply); a reply of another class ends an active one."""
    active = FollowUp.objects.filter(assignment_id=reply.assignment_id, status__in=FollowUp.ACTIVE).first()
    before = _before(p, active) if active else {**_snapshot(p), "followup": None}
    action, f = spine_followups.follow_reply(case=p.case, reply=reply)
    unit = reply.assignment.unit.name
    if action == "superseded":
        label = f"{unit}改为{reply.result_class}类答复，跟踪落实终止"
    elif action == "continue":
        label = f"{unit}再次答复（{reply.result_class}类），继续跟踪落实"
    elif action == "open":
        others = [
            u
            for u in _unit_users([reply.assignment.unit_id], (Role.UNIT_HANDLER,))
            if u.pk != getattr(user, "pk", None)
        ]
        notify(
            others,
            f"B类答复转入跟踪落实：{p.number_label}《{p.title}》",
            "请填写计划完成时间，并定期报告落实进展，完成后报告已落实。",
            url=proposal_url(p),
            category="proposal",
        )
        label = f"{unit}答复为{reply.result_class}类，转入跟踪落实"
    else:
        return None
    _done(user, p, f"followup_{action}", label, before, extra=_after(f))
    return f


def _load_followup(user, followup):
    """(proposal row-locked, follow-up row-locked) if the user may see it; else NotFound (404)."""
    pk = getattr(followup, "pk", followup)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("未找到")
    proposal_id = visible_followups(user).filter(pk=pk).values_list("case__proposal", flat=True).first()
    if proposal_id is None:
        raise NotFound("未找到")
    p = _load(user, proposal_id)
    f = FollowUp.objects.select_related("assignment__unit", "case").select_for_update(of=("self",)).get(pk=pk)
    f.case.proposal = p
    return p, f


def _refresh_caller(caller, fresh):
    if isinstance(caller, FollowUp) and caller is not fresh:
        caller.refresh_from_db()
    return fresh


def followup_set_plan(*, user, followup, planned_date) -> FollowUp:
    """计划完成时间: the unit sets or moves the date it expects the promised work to be done."""
    with transaction.atomic():
        p, f = _load_followup(user, followup)
        before = _before(p, f)
        old = spine_followups.set_plan(user=user, followup=f, planned_date=planned_date)
        day = f.planned_date
        label = f"{f.assignment.unit.name}{'调整' if old else '确定'}计划完成时间：" + (
            f"{old:%Y-%m-%d} → {day:%Y-%m-%d}" if old else f"{day:%Y-%m-%d}"
        )
        _done(user, p, "followup_plan", label, before, extra=_after(f))
    return _refresh_caller(followup, f)


def followup_report(
    *, user, followup, content, done: bool = False, planned_date=None, attachment=None
) -> FollowUp:
    """进展情况: the unit reports progress (optionally with a file and a new planned date); with done=True it
    declares the work done (已落实) and the office is asked to confirm. The proposers are told each time."""
    with transaction.atomic():
        p, f = _load_followup(user, followup)
        before = _before(p, f)
        report = spine_followups.report(
            user=user,
            followup=f,
            content=content,
            done=done,
            planned_date=planned_date,
            attachment=attachment,
        )
        content = report.content
        unit = f.assignment.unit.name
        url = proposal_url(p)
        if done:
            notify(
                _signer_users(p),
                f"承办单位报告提案建议已落实：{p.number_label}《{p.title}》",
                f"{unit}：{content[:200]}",
                url=url,
                category="proposal",
            )
            notify(
                _office_users(p),
                f"{unit}报告已落实，请确认：{p.number_label}《{p.title}》",
                content[:200],
                url=url,
                category="proposal",
            )
            _done(
                user,
                p,
                "followup_done",
                f"{unit}报告已落实，待提案委员会确认",
                before,
                detail=content,
                extra={**_after(f), "report": report.pk},
            )
        else:
            notify(
                _signer_users(p),
                f"提案落实进展：{p.number_label}《{p.title}》",
                f"{unit}：{content[:200]}",
                url=url,
                category="proposal",
            )
            _done(
                user,
                p,
                "followup_report",
                f"{unit}报告落实进展",
                before,
                detail=content,
                extra={**_after(f), "report": report.pk},
            )
    return _refresh_caller(followup, f)


def followup_confirm(*, user, followup, accept: bool, reason="") -> FollowUp:
    """确认办结落实 (accept) or send back (退回, with a reason) a unit's report that the work is done."""
    with transaction.atomic():
        p, f = _load_followup(user, followup)
        before = _before(p, f)
        reason = spine_followups.confirm(user=user, followup=f, accept=accept, reason=reason)
        unit = f.assignment.unit.name
        url = proposal_url(p)
        unit_users = _unit_users([f.assignment.unit_id], (Role.UNIT_HANDLER, Role.UNIT_HEAD))
        if accept:
            notify(
                _signer_users(p) + unit_users,
                f"提案建议已落实（已确认办结落实）：{p.number_label}《{p.title}》",
                f"{unit}的落实情况已经提案委员会确认。",
                url=url,
                category="proposal",
            )
            _done(user, p, "followup_confirm", f"确认{unit}办结落实", before, detail=reason, extra=_after(f))
        else:
            notify(
                unit_users,
                f"落实情况被退回，请继续落实：{p.number_label}《{p.title}》",
                reason,
                url=url,
                category="proposal",
            )
            _done(
                user,
                p,
                "followup_return",
                f"退回{unit}的落实报告，继续跟踪落实",
                before,
                detail=reason,
                extra=_after(f),
            )
    return _refresh_caller(followup, f)


def followup_remind(*, user, followup) -> FollowUp:
    """督促落实: the office reminds the unit's handlers to report progress."""
    with transaction.atomic():
        p, f = _load_followup(user, followup)
        spine_followups.check_remind(user=user, followup=f)
        before = _before(p, f)
        unit = f.assignment.unit.name
        users = _unit_users([f.assignment.unit_id])
        when = f"计划完成时间 {f.planned_date:%Y年%m月%d日}，" if f.planned_date else ""
        notify(
            users,
            f"督促落实：{p.number_label}《{p.title}》" + ("（已逾期）" if f.overdue else ""),
            f"{when}请及时报告落实进展。",
            url=proposal_url(p),
            category="proposal",
            sms=f.overdue,
        )
        _done(
            user, p, "followup_remind", f"督促{unit}落实", before, extra={**_after(f), "notified": len(users)}
        )
    return _refresh_caller(followup, f)
