"""跟踪落实: a reply of a follow-up class (default B: 正在解决或已列入计划逐步解决) stays open until the
promised work is done. One active follow-up per replying unit (assignment): the unit sets its planned
completion date, reports progress and declares it done; the proposal office confirms or sends it back.
"""

from __future__ import annotations

from django.db import transaction

from zhengxie.core import orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Role
from zhengxie.core.notifications import notify
from zhengxie.core.uploads import EVIDENCE, save_attachment

from ..models import FollowUp, FollowUpReport
from ..selectors_followup import can_confirm, can_report, visible_followups
from .common import (
    _as_date,
    _done,
    _load,
    _now,
    _office_users,
    _signer_users,
    _snapshot,
    _text,
    _today,
    _unit_users,
    proposal_url,
)

F = FollowUp.Status
MAX_CONTENT = 5000


def followup_classes(org) -> list[str]:
    return list(orgsettings.get(org, "proposals.followup_classes"))


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
    a = reply.assignment
    active = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(assignment_id=a.pk, status__in=FollowUp.ACTIVE)
        .first()
    )
    unit = a.unit.name
    if reply.result_class not in followup_classes(p.organisation):
        if active is None:
            return None
        before = _before(p, active)
        active.status = F.SUPERSEDED
        active.save(update_fields=["status"])
        _done(
            user,
            p,
            "followup_superseded",
            f"{unit}改为{reply.result_class}类答复，跟踪落实终止",
            before,
            extra=_after(active),
        )
        return active
    if active is not None:
        before = _before(p, active)
        active.reply = reply
        active.save(update_fields=["reply"])
        _done(
            user,
            p,
            "followup_continue",
            f"{unit}再次答复（{reply.result_class}类），继续跟踪落实",
            before,
            extra=_after(active),
        )
        return active
    f = FollowUp.objects.create(case_id=p.case_id, assignment=a, reply=reply, opened_at=reply.replied_at)
    before = {**_snapshot(p), "followup": None}
    others = [u for u in _unit_users([a.unit_id], (Role.UNIT_HANDLER,)) if u.pk != getattr(user, "pk", None)]
    notify(
        others,
        f"B类答复转入跟踪落实：{p.number_label}《{p.title}》",
        "请填写计划完成时间，并定期报告落实进展，完成后报告已落实。",
        url=proposal_url(p),
        category="proposal",
    )
    _done(
        user, p, "followup_open", f"{unit}答复为{reply.result_class}类，转入跟踪落实", before, extra=_after(f)
    )
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


def _check_state(f, verb: str, allowed=(F.OPEN,)):
    if f.status not in allowed:
        raise Conflict(f"该跟踪落实当前为「{f.get_status_display()}」，不能{verb}。", code="bad_state")


def _planned(value, f):
    day = _as_date(value, "计划完成时间", "planned_date")
    if day is not None and day < _today() and day != f.planned_date:
        raise Invalid("计划完成时间不能早于今天。", field="planned_date")
    return day


def _refresh_caller(caller, fresh):
    if isinstance(caller, FollowUp) and caller is not fresh:
        caller.refresh_from_db()
    return fresh


def followup_set_plan(*, user, followup, planned_date) -> FollowUp:
    """计划完成时间: the unit sets or moves the date it expects the promised work to be done."""
    with transaction.atomic():
        p, f = _load_followup(user, followup)
        if not can_report(user, f):
            raise Forbidden("只有答复该提案的承办单位可以填写计划完成时间。")
        _check_state(f, "修改计划完成时间")
        day = _planned(planned_date, f)
        if day is None:
            raise Invalid("请填写计划完成时间。", field="planned_date")
        if day == f.planned_date:
            raise Invalid("计划完成时间没有变化。", field="planned_date")
        before = _before(p, f)
        old = f.planned_date
        f.planned_date = day
        f.save(update_fields=["planned_date"])
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
        if not can_report(user, f):
            raise Forbidden("只有答复该提案的承办单位可以报告落实进展。")
        _check_state(f, "报告进展" if not done else "报告已落实")
        content = _text(content, "进展情况")
        if not content:
            raise Invalid("请填写落实进展情况。" if not done else "请填写落实情况报告。", field="content")
        if len(content) > MAX_CONTENT:
            raise Invalid(f"进展情况不能超过 {MAX_CONTENT} 字。", field="content")
        day = _planned(planned_date, f)
        before = _before(p, f)
        now = _now()
        report = FollowUpReport.objects.create(
            followup=f, content=content, is_final=bool(done), reported_by=user, at=now
        )
        if attachment is not None:
            report.attachment = save_attachment(
                attachment, target=report, user=user, purpose="followup_report", allowed=EVIDENCE
            )
            report.save(update_fields=["attachment"])
        if day is not None:
            f.planned_date = day
        f.last_report_at = now
        f.reminded_on = None
        f.returned_reason = ""
        if done:
            f.status = F.REPORTED_DONE
            f.done_at = now
        f.save()
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
        if not can_confirm(user, f):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以确认落实情况。")
        _check_state(f, "确认（承办单位尚未报告已落实）", allowed=(F.REPORTED_DONE,))
        reason = _text(reason, "理由")
        if not accept and not reason:
            raise Invalid("退回时请说明理由，以便承办单位继续落实。", field="reason")
        before = _before(p, f)
        unit = f.assignment.unit.name
        url = proposal_url(p)
        unit_users = _unit_users([f.assignment.unit_id], (Role.UNIT_HANDLER, Role.UNIT_HEAD))
        if accept:
            f.status = F.DONE
            f.confirmed_at = _now()
            f.confirmed_by = user
            f.save(update_fields=["status", "confirmed_at", "confirmed_by"])
            notify(
                _signer_users(p) + unit_users,
                f"提案建议已落实（已确认办结落实）：{p.number_label}《{p.title}》",
                f"{unit}的落实情况已经提案委员会确认。",
                url=url,
                category="proposal",
            )
            _done(user, p, "followup_confirm", f"确认{unit}办结落实", before, detail=reason, extra=_after(f))
        else:
            f.status = F.OPEN
            f.done_at = None
            f.returned_reason = reason
            f.save(update_fields=["status", "done_at", "returned_reason"])
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
        if not can_confirm(user, f):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以督促落实。")
        _check_state(f, "督促落实")
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
