"""跟踪落实 for every kind: a reply of one of the kind's follow-up classes ("<prefix>.followup_classes", B by
default) opens a follow-up of that unit's part; the unit sets a planned date, reports progress (with a
file) and declares the work done; the office confirms it or sends it back. The caller (the kind's own
service) has loaded and locked its item and the follow-up; these check the unit's or office's side,
validate and write the rows, and return what changed so that the caller can tell people and record it."""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.textinput import plain_text
from zhengxie.core.uploads import EVIDENCE, save_attachment

from .. import kinds
from .. import rules as r
from ..models import FollowUp, FollowUpReport
from .units import as_date

F = FollowUp.Status
MAX_CONTENT = 5000


def followup_classes(case) -> list[str]:
    return list(kinds.get(case.kind).setting(case.organisation, "followup_classes"))


def follow_reply(*, case, reply) -> tuple[str, FollowUp | None]:
    """After a reply: a follow-up class opens the unit's follow-up ("open") or keeps its active one on the
    new reply ("continue"); another class ends an active one ("superseded"); else ("", None)."""
    a = reply.assignment
    active = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(assignment_id=a.pk, status__in=FollowUp.ACTIVE)
        .first()
    )
    if reply.result_class not in followup_classes(case):
        if active is None:
            return "", None
        active.status = F.SUPERSEDED
        active.end_reason = f"改为{reply.result_class}类答复"
        active.save(update_fields=["status", "end_reason"])
        return "superseded", active
    if active is not None:
        active.reply = reply
        active.save(update_fields=["reply"])
        return "continue", active
    return "open", FollowUp.objects.create(
        case_id=case.pk, assignment=a, reply=reply, opened_at=reply.replied_at
    )


UNSATISFIED_END = "答复被评为不满意，退回重新办理"


def end_on_unsatisfied(*, assignment) -> FollowUp | None:
    """不满意 sent the unit back to re-handle: its reply no longer stands, so the follow-up of that reply ends
    (已终止) whether it was 落实中 or 已报落实待确认 — no reminders to report on a plan the proposer refused,
    nothing for the office to confirm. The re-handled reply decides afresh (follow_reply: a follow-up class
    opens a new one). A follow-up already confirmed 已落实 stays so. Returns the follow-up ended, or None."""
    active = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(assignment_id=assignment.pk, status__in=FollowUp.ACTIVE)
        .first()
    )
    if active is None:
        return None
    active.status = F.SUPERSEDED
    active.end_reason = UNSATISFIED_END
    active.save(update_fields=["status", "end_reason"])
    return active


def check_state(f, verb: str, allowed=(F.OPEN,)):
    if f.status not in allowed:
        raise Conflict(f"该跟踪落实当前为「{f.get_status_display()}」，不能{verb}。", code="bad_state")


def can_report(user, f) -> bool:
    """A user of the unit whose reply is being followed up."""
    return bool(r.is_unit_user(user) and user.handling_unit_id == f.assignment.unit_id)


def _need_unit(user, f, verb):
    if not can_report(user, f):
        raise Forbidden(f"只有答复该{kinds.get(f.case.kind).label}的承办单位可以{verb}。")


def _planned(value, f):
    day = as_date(value, "计划完成时间", "planned_date")
    if day is not None and day < timezone.localdate() and day != f.planned_date:
        raise Invalid("计划完成时间不能早于今天。", field="planned_date")
    return day


def set_plan(*, user, followup, planned_date):
    """计划完成时间: the unit sets or moves its date. Returns the old date."""
    f = followup
    _need_unit(user, f, "填写计划完成时间")
    check_state(f, "修改计划完成时间")
    day = _planned(planned_date, f)
    if day is None:
        raise Invalid("请填写计划完成时间。", field="planned_date")
    if day == f.planned_date:
        raise Invalid("计划完成时间没有变化。", field="planned_date")
    old = f.planned_date
    f.planned_date = day
    f.save(update_fields=["planned_date"])
    return old


def report(
    *, user, followup, content, done: bool = False, planned_date=None, attachment=None
) -> FollowUpReport:
    """进展情况 (or, with done, 已落实) with an optional file and a new planned date."""
    f = followup
    _need_unit(user, f, "报告落实进展")
    check_state(f, "报告进展" if not done else "报告已落实")
    content = plain_text(content, "进展情况")
    if not content:
        raise Invalid("请填写落实进展情况。" if not done else "请填写落实情况报告。", field="content")
    if len(content) > MAX_CONTENT:
        raise Invalid(f"进展情况不能超过 {MAX_CONTENT} 字。", field="content")
    day = _planned(planned_date, f)
    now = timezone.now()
    rp = FollowUpReport.objects.create(
        followup=f, content=content, is_final=bool(done), reported_by=user, at=now
    )
    if attachment is not None:
        rp.attachment = save_attachment(
            attachment, target=rp, user=user, purpose="followup_report", allowed=EVIDENCE
        )
        rp.save(update_fields=["attachment"])
    if day is not None:
        f.planned_date = day
    f.last_report_at = now
    f.reminded_on = None
    f.returned_reason = ""
    if done:
        f.status = F.REPORTED_DONE
        f.done_at = now
    f.save()
    return rp


def confirm(*, user, followup, accept: bool, reason="") -> str:
    """The office confirms the work done (确认办结落实) or sends the report back (退回, with a reason)."""
    f = followup
    kind = kinds.get(f.case.kind)
    if not r.is_case_office(user, f.case):
        raise Forbidden(f"只有本级{kind.office_label}工作人员可以确认落实情况。")
    check_state(f, "确认（承办单位尚未报告已落实）", allowed=(F.REPORTED_DONE,))
    reason = plain_text(reason, "理由")
    if not accept and not reason:
        raise Invalid("退回时请说明理由，以便承办单位继续落实。", field="reason")
    if accept:
        f.status = F.DONE
        f.confirmed_at = timezone.now()
        f.confirmed_by = user
        f.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    else:
        f.status = F.OPEN
        f.done_at = None
        f.returned_reason = reason
        f.save(update_fields=["status", "done_at", "returned_reason"])
    return reason


def check_remind(*, user, followup):
    """督促落实: only the office, only while the follow-up is open."""
    f = followup
    if not r.is_case_office(user, f.case):
        raise Forbidden(f"只有本级{kinds.get(f.case.kind).office_label}工作人员可以督促落实。")
    check_state(f, "督促落实")
