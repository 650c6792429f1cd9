"""Daily supervision (节点督办) of every kind: recompute the lights and tell the people concerned, and
chase the follow-ups (跟踪落实) that have gone quiet.

- a light turning yellow → the handlers of the units that still owe a reply;
- turning red → those handlers and their unit heads (SMS too);
- a follow-up with no report for "<prefix>.followup_report_days" days, or past its planned date → the
  unit's handlers, at most once per such period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register

from . import kinds
from .lights import late_nodes, refresh_lights
from .models import Assignment, Case, Event, FollowUp

RANK = {"": 0, "green": 1, "yellow": 2, "red": 3}


def users_by_unit(unit_ids) -> dict[int, dict[str, list[User]]]:
    """The active handlers and heads of these units."""
    out: dict[int, dict[str, list[User]]] = defaultdict(lambda: {"handler": [], "head": []})
    qs = (
        User.objects.filter(
            handling_unit_id__in=list(unit_ids),
            is_active=True,
            groups__name__in=[Role.UNIT_HANDLER, Role.UNIT_HEAD],
        )
        .prefetch_related("groups")
        .distinct()
    )
    for u in qs:
        roles = {g.name for g in u.groups.all()}
        if Role.UNIT_HANDLER in roles:
            out[u.handling_unit_id]["handler"].append(u)
        if Role.UNIT_HEAD in roles:
            out[u.handling_unit_id]["head"].append(u)
    return out


def case_url(case) -> str:
    return kinds.get(case.kind).url(case)


def check_lights(today=None) -> dict:
    """Refresh the lights; notify when one turns yellow or red (not when red eases to yellow)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        changes = refresh_lights(today=today)
        worse = [
            (c, old, new) for c, old, new in changes if new in ("yellow", "red") and RANK[new] > RANK[old]
        ]
        # 分办: a unit whose reply stands owes nothing and is not chased (Assignment.owes).
        owing = defaultdict(list)
        for a in Assignment.objects.filter(case_id__in=[c.pk for c, _, _ in worse], owes=True).exclude(
            role=Assignment.Role.CO
        ):
            owing[a.case_id].append(a)
        people = users_by_unit({a.unit_id for rows in owing.values() for a in rows})
        events = []
        for case, _old, new in worse:
            kind = kinds.get(case.kind)
            units = owing[case.pk]
            users = [u for a in units for u in people[a.unit_id]["handler"]]
            if new == "red":
                users += [u for a in units for u in people[a.unit_id]["head"]]
                title = f"【红灯】{kind.label}已超过办理期限：{case.label}《{case.title}》"
                body = f"办理期限为 {case.deadline:%Y年%m月%d日}，请立即答复。"
            else:
                late = late_nodes(case, today)
                title = f"【黄灯】{kind.label}办理需加快：{case.label}《{case.title}》"
                body = (("、".join(late) + "；") if late else "") + f"办理期限 {case.deadline:%Y年%m月%d日}。"
            notify(users, title, body, url=case_url(case), category=case.kind, sms=new == "red")
            events.append(
                Event(
                    case=case, actor_label="系统", action="light", label=f"督办灯变为{Case.Light(new).label}"
                )
            )
        Event.objects.bulk_create(events)
        if changes:
            audit.record(
                None,
                "handling.lights",
                None,
                after={
                    "changed": len(changes),
                    "yellow": sum(1 for c in changes if c[2] == "yellow"),
                    "red": sum(1 for c in changes if c[2] == "red"),
                },
            )
    return {"changed": len(changes), "notified": len(worse)}


@register("handling.lights", every="daily", label="红黄绿灯与督办提醒（各类交办事项）")
def daily_lights():
    return check_lights()


@register("handling.close_unrated", every="daily", label="评价期限已过、未评价的答复办结（通用办理流程）")
def daily_close_unrated():
    from .services.flow import close_unrated

    return {"closed": close_unrated()}


FOLLOWUP_REMINDER = "followup_reminder"


def check_followups(today=None) -> dict:
    """Remind the unit's handlers of each open follow-up with no progress report for
    "<prefix>.followup_report_days" days, or whose planned completion date has passed. At most once per
    such period (FollowUp.reminded_on; a new report clears it)."""
    today = today or timezone.localdate()
    qs = (
        FollowUp.objects.filter(status=FollowUp.Status.OPEN)
        .select_related("case__organisation", "assignment__unit", "reply")
        .order_by("id")
    )
    cache: dict = {}
    due = []
    for f in qs:
        key = (f.case.organisation_id, f.case.kind)
        if key not in cache:
            cache[key] = kinds.get(f.case.kind).days(f.case.organisation, "followup_report_days")
        days = cache[key]
        last = timezone.localdate(f.last_report_at or f.opened_at)
        silent = today >= last + datetime.timedelta(days=days)
        late = f.planned_date is not None and f.planned_date < today
        recently = f.reminded_on is not None and today < f.reminded_on + datetime.timedelta(days=days)
        if (silent or late) and not recently:
            due.append((f, days, late))
    if not due:
        return {"followup_reminded": 0}
    people = users_by_unit({f.assignment.unit_id for f, _, _ in due})
    events = []
    with transaction.atomic():
        for f, days, late in due:
            case, kind = f.case, kinds.get(f.case.kind)
            why = (
                f"计划完成时间 {f.planned_date:%Y年%m月%d日} 已过"
                if late
                else f"已超过 {days} 天未报告落实进展"
            )
            notify(
                people[f.assignment.unit_id]["handler"],
                f"请报告{kind.label}落实进展：{case.label}《{case.title}》",
                f"该{kind.label}答复为{f.reply.result_class}类（正在解决或已列入计划逐步解决），{why}。"
                "请报告进展，完成后报告已落实。",
                url=case_url(case),
                category=case.kind,
            )
            events.append(
                Event(
                    case=case,
                    actor_label="系统",
                    action=FOLLOWUP_REMINDER,
                    label=f"跟踪落实提醒：{f.assignment.unit.name}（{why}）",
                )
            )
        Event.objects.bulk_create(events)
        FollowUp.objects.filter(pk__in=[f.pk for f, _, _ in due]).update(reminded_on=today)
        audit.record(None, "handling.followup_reminders", None, after={"reminded": len(due)})
    return {"followup_reminded": len(due)}


@register("handling.followups", every="daily", label="跟踪落实进展提醒（各类交办事项）")
def daily_followups():
    return check_followups()
