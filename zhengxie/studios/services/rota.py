"""The 线上值班 rota: the 办公室 plans a studio's month; a member marks a day done or asks for leave, the
office decides leave and marks absences. A done day is a DutyRecord (act studio_duty) — by the member's or
the office's mark, or by the daily job once the day has passed — and an absence voids it. Every step is
idempotent: marking a done day done again, or running the job twice, changes nothing."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import Office, Role, User
from zhengxie.core.notifications import notify
from zhengxie.performance import acts as A

from .. import rules as r
from ..models import DutySlot, Studio
from ..selectors import month_dates
from .common import as_day, credit, load, record, text, today, uncredit

D = DutySlot.Status
# Slots a plan may take away (nothing credited, nothing decided: a granted leave stays on record).
REMOVABLE = (D.PLANNED, D.LEAVE_ASKED)


def office_users(organisation) -> list[User]:
    staff = User.objects.filter(organisation=organisation, groups__name=Role.STAFF, is_active=True).distinct()
    return [u for u in staff if u.works_in(Office.GENERAL)]


def month_days(year: int, month: int) -> list[datetime.date]:
    try:
        return month_dates(int(year), int(month))
    except (TypeError, ValueError, calendar.IllegalMonthError):
        raise Invalid("月份有误。", field="month")


def rota_plan(*, user, studio, year: int, month: int, plan: dict) -> dict:
    """Set who is on duty each day of a month from today on: `plan` maps a day (date or "YYYY-MM-DD") to
    member ids; a day left out has nobody. Days before today and days already done or marked absent are
    kept as they are. Returns {"added": n, "removed": n}."""
    days = month_days(year, month)
    first, last = days[0], days[-1]
    wanted: dict[datetime.date, set[int]] = {}
    for key, ids in (plan or {}).items():
        day = as_day(key, "值班日期", "plan")
        if not first <= day <= last:
            raise Invalid("值班日期不在所排的月份内。", field="plan")
        try:
            wanted[day] = {int(i) for i in ids or []}
        except (TypeError, ValueError):
            raise Invalid("值班委员有误。", field="plan")
    start = max(first, today())
    with transaction.atomic():
        s = load(Studio, user, studio, may=r.can_view_studio, message="未找到该委员工作室。")
        if not r.can_manage_studio(user, s):
            raise Forbidden("只有本级办公室工作人员可以排班。")
        if not s.active:
            raise Conflict("该工作室已停用，不能排班。")
        members = {m.pk: m for m in s.members.select_related("user")}
        unknown = set().union(*wanted.values()) - set(members) if wanted else set()
        if unknown:
            raise Invalid("值班委员须为该工作室的入驻委员。", field="plan")
        existing = list(DutySlot.objects.filter(studio=s, day__gte=start, day__lte=last))
        have = defaultdict(dict)
        for slot in existing:
            have[slot.day][slot.member_id] = slot
        to_remove, to_add = [], []
        for day in (d for d in days if d >= start):
            want = wanted.get(day, set())
            for mid, slot in have[day].items():
                if mid not in want and slot.status in REMOVABLE:
                    to_remove.append(slot)
            for mid in want - set(have[day]):
                to_add.append(
                    DutySlot(organisation=s.organisation, studio=s, member_id=mid, day=day, created_by=user)
                )
        DutySlot.objects.filter(pk__in=[x.pk for x in to_remove]).delete()
        DutySlot.objects.bulk_create(to_add)
        result = {"added": len(to_add), "removed": len(to_remove)}
        if to_add or to_remove:
            record(
                user,
                "rota_plan",
                s,
                after={
                    "month": f"{int(year):04d}-{int(month):02d}",
                    "added": sorted(f"{x.day}:{x.member_id}" for x in to_add),
                    "removed": sorted(f"{x.day}:{x.member_id}" for x in to_remove),
                },
            )
            touched = {x.member_id for x in to_add} | {x.member_id for x in to_remove}
            mine = reverse("studios:mine")
            for mid in touched:
                n = sum(1 for x in to_add if x.member_id == mid)
                body = f"新增值班{n}天。" if n else "部分值班已取消。"
                notify(
                    [members[mid].user] if mid in members else [],
                    f"{s.name}{int(month)}月线上值班安排已更新",
                    body,
                    url=mine,
                    category="studios",
                )
    return result


def rota_fill(*, user, studio, year: int, month: int, weekdays=(0, 1, 2, 3, 4)) -> dict:
    """Fill the month's empty days (from today, on these weekdays) with the studio's members in turn, one a
    day; days that already have someone keep them."""
    s = load(Studio, user, studio, lock=False, may=r.can_view_studio, message="未找到该委员工作室。")
    member_ids = list(s.members.order_by("name", "pk").values_list("pk", flat=True))
    if not member_ids:
        raise Conflict("该工作室还没有入驻委员，不能排班。")
    days = month_days(year, month)
    current = defaultdict(set)
    for day, mid in (
        DutySlot.objects.filter(studio=s, day__gte=days[0], day__lte=days[-1])
        .exclude(status__in=(D.LEAVE, D.ABSENT))
        .values_list("day", "member_id")
    ):
        current[day].add(mid)
    plan, turn = {}, 0
    for day in days:
        if current[day]:
            plan[day] = current[day]
        elif day.weekday() in weekdays and day >= today():
            plan[day] = {member_ids[turn % len(member_ids)]}
            turn += 1
    return rota_plan(user=user, studio=s, year=year, month=month, plan=plan)


def _state(slot: DutySlot, allowed, verb: str) -> None:
    if slot.status not in allowed:
        raise Conflict(f"该值班当前为「{slot.get_status_display()}」，不能{verb}。", code="bad_state")


def duty_done(*, user, slot) -> DutySlot:
    """The member (or the office) marks a duty day done: a DutyRecord. Marking it again changes nothing."""
    with transaction.atomic():
        x = load(DutySlot, user, slot, message="未找到该值班。")
        if not r.can_act_for(user, x):
            raise Forbidden("只能确认本人的值班。")
        if x.status == D.DONE:
            return x
        _state(x, (D.PLANNED,), "确认已值班")
        if x.day > today():
            raise Conflict("值班日尚未到，不能确认。", code="not_yet")
        x.status, x.done_at, x.done_by = D.DONE, timezone.now(), user
        x.save(update_fields=["status", "done_at", "done_by"])
        credit(x.member, A.STUDIO_DUTY, x, x.day)
        record(user, "duty_done", x, after={"status": x.status, "day": str(x.day)})
    return x


def duty_absent(*, user, slot, reason: str) -> DutySlot:
    """The office marks a member absent on a duty day (缺岗): a credited day is voided."""
    reason = text(reason, "缺岗说明", field="reason", max_len=200)
    with transaction.atomic():
        x = load(DutySlot, user, slot, message="未找到该值班。")
        if not r.is_studio_office(user, x.organisation):
            raise Forbidden("只有本级办公室工作人员可以登记缺岗。")
        _state(x, (D.PLANNED, D.DONE, D.LEAVE_ASKED), "登记缺岗")
        if x.day > today():
            raise Conflict("值班日尚未到，不能登记缺岗。", code="not_yet")
        before = {"status": x.status}
        x.status, x.note, x.done_at, x.done_by = D.ABSENT, reason, timezone.now(), user
        x.save(update_fields=["status", "note", "done_at", "done_by"])
        uncredit(x.member, A.STUDIO_DUTY, x)
        record(user, "duty_absent", x, before=before, after={"status": x.status, "note": reason})
        notify(
            [x.member.user],
            f"{x.day:%m月%d日}线上值班登记为缺岗",
            reason,
            url=reverse("studios:mine"),
            category="studios",
        )
    return x


def duty_ask_leave(*, user, slot, reason: str) -> DutySlot:
    """A member asks leave for a coming duty day; the office decides."""
    reason = text(reason, "请假事由", field="reason", max_len=200)
    with transaction.atomic():
        x = load(DutySlot, user, slot, message="未找到该值班。")
        if not r.is_own(user, x):
            raise Forbidden("只能为本人的值班请假。")
        _state(x, (D.PLANNED,), "请假")
        if x.day < today():
            raise Conflict("值班日已过，不能请假。", code="past")
        x.status, x.note = D.LEAVE_ASKED, reason
        x.save(update_fields=["status", "note"])
        record(user, "duty_ask_leave", x, after={"status": x.status, "note": reason})
        notify(
            office_users(x.organisation),
            f"{x.member.name}申请{x.day:%m月%d日}线上值班请假",
            reason,
            url=reverse("studios:rota", args=[x.studio_id]) + f"?month={x.day:%Y-%m}",
            category="studios",
        )
    return x


def duty_decide_leave(*, user, slot, approve: bool, reason: str = "") -> DutySlot:
    reason = text(reason, "意见", field="reason", max_len=200, required=not approve)
    with transaction.atomic():
        x = load(DutySlot, user, slot, message="未找到该值班。")
        if not r.is_studio_office(user, x.organisation):
            raise Forbidden("只有本级办公室工作人员可以审批请假。")
        _state(x, (D.LEAVE_ASKED,), "审批请假")
        x.status = D.LEAVE if approve else D.PLANNED
        if reason:
            x.note = reason
        x.save(update_fields=["status", "note"])
        record(
            user,
            "duty_leave_" + ("approve" if approve else "refuse"),
            x,
            after={"status": x.status, "note": reason},
        )
        notify(
            [x.member.user],
            f"{x.day:%m月%d日}线上值班请假{'已批准' if approve else '未批准'}",
            reason,
            url=reverse("studios:mine"),
            category="studios",
        )
    return x


def close_past_duties(day: datetime.date | None = None) -> int:
    """The daily job: every planned duty day before `day` (today) is done and credited. Idempotent."""
    day = day or today()
    done = 0
    ids = list(DutySlot.objects.filter(status=D.PLANNED, day__lt=day).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            x = (
                DutySlot.objects.select_for_update()
                .select_related("member")
                .filter(pk=pk, status=D.PLANNED)
                .first()
            )
            if x is None:
                continue
            x.status, x.done_at = D.DONE, timezone.now()
            x.save(update_fields=["status", "done_at"])
            credit(x.member, A.STUDIO_DUTY, x, x.day)
            record(None, "duty_auto_done", x, after={"status": x.status, "day": str(x.day)})
            done += 1
    return done
