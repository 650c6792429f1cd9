"""Daily supervision (节点督办): recompute every proposal's traffic light and tell the people concerned.

- turning yellow → the handling unit's handlers;
- turning red → the handlers and the unit's heads (unit_head users).
(The proposer is told about a reply, and the office about an unsatisfied rating, by the services.)
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register

from .lights import HANDLING_STATES, REPLYING_ROLES, co_opinion_late, late_nodes, refresh_lights
from .models import Assignment, Evaluation, Event, Proposal, Reply, Signer

RANK = {"": 0, "green": 1, "yellow": 2, "red": 3}


def _users_by_unit(unit_ids) -> dict[int, dict[str, list[User]]]:
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


def check_lights(today=None) -> dict:
    """Refresh the lights; notify when one turns yellow or red (not when red eases to yellow). Returns counts (for the scheduler log)."""
    from .services import proposal_url

    today = today or _today()
    with transaction.atomic():
        changes = refresh_lights(today=today)
        worse = [
            (p, old, new) for p, old, new in changes if new in ("yellow", "red") and RANK[new] > RANK[old]
        ]
        # 分办: a unit whose reply stands (latest, not rated 不满意) owes nothing and is not chased.
        answered = set(
            Reply.objects.filter(proposal_id__in=[p.pk for p, _, _ in worse], is_latest=True)
            .exclude(evaluations__rating=Evaluation.Rating.UNSATISFIED)
            .values_list("assignment_id", flat=True)
        )

        def owing(p):
            return [a for a in p.assignments.all() if a.role in REPLYING_ROLES and a.pk not in answered]

        people = _users_by_unit({a.unit_id for p, _, _ in worse for a in owing(p)})
        events = []
        for p, _old, new in worse:
            units = owing(p)
            users = [u for a in units for u in people[a.unit_id]["handler"]]
            if new == "red":
                users += [u for a in units for u in people[a.unit_id]["head"]]
                title = f"【红灯】提案已超过办理期限：{p.number_label}《{p.title}》"
                body = f"办理期限为 {p.deadline:%Y年%m月%d日}，请立即答复。"
            else:
                late = late_nodes(p, today)
                title = f"【黄灯】提案办理需加快：{p.number_label}《{p.title}》"
                body = (("、".join(late) + "；") if late else "") + f"办理期限 {p.deadline:%Y年%m月%d日}。"
            notify(users, title, body, url=proposal_url(p), category="proposal", sms=new == "red")
            events.append(
                Event(
                    proposal=p,
                    actor=None,
                    actor_label="系统",
                    action="light",
                    label=f"督办灯变为{Proposal.Light(new).label}",
                )
            )
        Event.objects.bulk_create(events)
        if changes:
            audit.record(
                None,
                "proposals.lights",
                None,
                after={
                    "changed": len(changes),
                    "yellow": sum(1 for c in changes if c[2] == "yellow"),
                    "red": sum(1 for c in changes if c[2] == "red"),
                },
            )
    return {"changed": len(changes), "notified": len(worse)}


def _today():
    from django.utils import timezone

    return timezone.localdate()


@register("proposals.lights", every="daily", label="提案红黄绿灯与督办提醒")
def daily_lights():
    return check_lights()


# --- 联名附议逾期 (co-signers who have not answered) ----------------------------------------------------

COSIGN_OVERDUE = "cosign_overdue"


def _days(cache: dict, organisation, key: str) -> int:
    if (organisation.pk, key) not in cache:
        cache[organisation.pk, key] = int(orgsettings.get(organisation, key))
    return cache[organisation.pk, key]


def check_overdue_cosigners(now=None) -> dict:
    """Tell the lead proposer of each joint proposal still awaiting 附议, whose invitations are older than
    "proposals.cosign_days", that co-signers have not answered and may be dropped. Once per proposal
    (remembered by a timeline Event "cosign_overdue")."""
    from .services import proposal_url

    now = now or timezone.now()
    invited = Signer.objects.filter(role=Signer.Role.COSIGNER, status=Signer.Status.INVITED).select_related(
        "member"
    )
    told = Event.objects.filter(proposal=OuterRef("pk"), action=COSIGN_OVERDUE)
    qs = (
        Proposal.objects.filter(status=Proposal.Status.AWAITING_COSIGNERS)
        .filter(~Exists(told))
        .select_related("organisation", "author", "lead_member__user")
        .prefetch_related(Prefetch("signers", queryset=invited, to_attr="waiting"))
    )
    cache: dict = {}
    events = []
    with transaction.atomic():
        for p in qs:
            days = _days(cache, p.organisation, "proposals.cosign_days")
            late = [s for s in p.waiting if s.invited_at + datetime.timedelta(days=days) < now]
            if not late:
                continue
            lead = p.lead_member.user if p.lead_member_id and p.lead_member.user_id else p.author
            names = "、".join(s.member.name for s in late)
            notify(
                [lead],
                f"联名提案附议逾期未确认：《{p.title}》",
                f"{names}在 {days} 天内未确认是否附议。您可以在提案页面移除未附议的委员后继续提交。",
                url=proposal_url(p),
                category="proposal",
            )
            events.append(
                Event(
                    proposal=p,
                    actor=None,
                    actor_label="系统",
                    action=COSIGN_OVERDUE,
                    label=f"附议逾期未确认（{names}），已提醒第一提案人",
                )
            )
        Event.objects.bulk_create(events)
    return {"cosign_overdue": len(events)}


# --- 会办意见逾期 (co-units late with their opinion) -----------------------------------------------------

CO_OPINION_OVERDUE = "co_opinion_overdue"


def _co_overdue_label(a) -> str:
    return f"会办单位{a.unit.name}逾期未提交会办意见，已提醒"


def check_late_co_opinions(now=None) -> dict:
    """Remind the handlers of each co-unit (会办) that has sent no opinion within "proposals.co_opinion_days"
    days of its assignment. Once per assignment (a timeline Event on the proposal naming the unit)."""
    from .services import proposal_url

    now = now or timezone.now()
    qs = (
        Assignment.objects.filter(
            role=Assignment.Role.CO, is_active=True, co_opinion="", proposal__status__in=HANDLING_STATES
        )
        .select_related("unit", "proposal__organisation")
        .order_by("id")
    )
    cache: dict = {}
    late = [
        a
        for a in qs
        if co_opinion_late(
            a.proposal, a, now, _days(cache, a.proposal.organisation, "proposals.co_opinion_days")
        )
    ]
    if not late:
        return {"co_opinion_overdue": 0}
    told: dict[tuple[int, str], list] = defaultdict(list)
    for pid, label, at in Event.objects.filter(
        proposal_id__in={a.proposal_id for a in late}, action=CO_OPINION_OVERDUE
    ).values_list("proposal_id", "label", "at"):
        told[pid, label].append(at)
    # a unit released and assigned again later is a new assignment: remind it again
    late = [
        a for a in late if not any(at >= a.assigned_at for at in told[a.proposal_id, _co_overdue_label(a)])
    ]
    people = _users_by_unit({a.unit_id for a in late})
    events = []
    with transaction.atomic():
        for a in late:
            p = a.proposal
            days = _days(cache, p.organisation, "proposals.co_opinion_days")
            due = timezone.localdate(a.assigned_at) + datetime.timedelta(days=days)
            notify(
                people[a.unit_id]["handler"],
                f"会办意见已逾期：{p.number_label}《{p.title}》",
                f"贵单位为该提案的会办单位，应于 {due:%Y年%m月%d日} 前向主办单位提出会办意见，请尽快提交。",
                url=proposal_url(p),
                category="proposal",
            )
            events.append(
                Event(
                    proposal=p,
                    actor=None,
                    actor_label="系统",
                    action=CO_OPINION_OVERDUE,
                    label=_co_overdue_label(a),
                )
            )
        Event.objects.bulk_create(events)
    return {"co_opinion_overdue": len(events)}


@register("proposals.deadlines", every="daily", label="联名附议与会办意见逾期提醒")
def daily_deadlines():
    return {**check_overdue_cosigners(), **check_late_co_opinions()}


# --- 跟踪落实 (follow-ups of B-class replies without news) -----------------------------------------------

FOLLOWUP_REMINDER = "followup_reminder"


def check_followups(today=None) -> dict:
    """Remind the unit's handlers of each open follow-up with no progress report for
    "proposals.followup_report_days" days, or whose planned completion date has passed. At most once per
    such period (FollowUp.reminded_on; a new report clears it)."""
    from .models import FollowUp
    from .services import proposal_url

    today = today or _today()
    qs = (
        FollowUp.objects.filter(status=FollowUp.Status.OPEN)
        .select_related("proposal__organisation", "assignment__unit")
        .order_by("id")
    )
    cache: dict = {}
    due = []
    for f in qs:
        days = _days(cache, f.proposal.organisation, "proposals.followup_report_days")
        last = timezone.localdate(f.last_report_at or f.opened_at)
        silent = today >= last + datetime.timedelta(days=days)
        late = f.planned_date is not None and f.planned_date < today
        recently = f.reminded_on is not None and today < f.reminded_on + datetime.timedelta(days=days)
        if (silent or late) and not recently:
            due.append((f, days, late))
    if not due:
        return {"followup_reminded": 0}
    people = _users_by_unit({f.assignment.unit_id for f, _, _ in due})
    events = []
    with transaction.atomic():
        for f, days, late in due:
            p = f.proposal
            why = (
                f"计划完成时间 {f.planned_date:%Y年%m月%d日} 已过"
                if late
                else f"已超过 {days} 天未报告落实进展"
            )
            notify(
                people[f.assignment.unit_id]["handler"],
                f"请报告提案落实进展：{p.number_label}《{p.title}》",
                f"该提案答复为B类（正在解决或已列入计划逐步解决），{why}。请报告进展，完成后报告已落实。",
                url=proposal_url(p),
                category="proposal",
            )
            events.append(
                Event(
                    proposal=p,
                    actor=None,
                    actor_label="系统",
                    action=FOLLOWUP_REMINDER,
                    label=f"跟踪落实提醒：{f.assignment.unit.name}（{why}）",
                )
            )
        Event.objects.bulk_create(events)
        FollowUp.objects.filter(pk__in=[f.pk for f, _, _ in due]).update(reminded_on=today)
        audit.record(None, "proposals.followup_reminders", None, after={"reminded": len(due)})
    return {"followup_reminded": len(due)}


@register("proposals.followups", every="daily", label="B类提案跟踪落实提醒")
def daily_followups():
    return check_followups()
