"""Daily checks of what only proposals have: co-signers who have not answered (附议) and co-units late
with their opinion (会办意见). The lights and follow-up reminders of every kind are handling/jobs.py."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register
from zhengxie.handling.jobs import users_by_unit

from .lights import co_opinion_late
from .models import Assignment, Event, Proposal, Signer
from .workflow import HANDLING_STATES

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
    told = Event.objects.filter(case_id=OuterRef("case_id"), action=COSIGN_OVERDUE)
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
                    case_id=p.case_id,
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
            role=Assignment.Role.CO,
            is_active=True,
            co_opinion="",
            case__kind="proposal",
            case__proposal__status__in=HANDLING_STATES,
        )
        .select_related("unit", "case__proposal__organisation")
        .order_by("id")
    )
    cache: dict = {}
    late = [
        a
        for a in qs
        if co_opinion_late(
            a.case.proposal, a, now, _days(cache, a.case.proposal.organisation, "proposals.co_opinion_days")
        )
    ]
    if not late:
        return {"co_opinion_overdue": 0}
    told: dict[tuple[int, str], list] = defaultdict(list)
    for pid, label, at in Event.objects.filter(
        case_id__in={a.case_id for a in late}, action=CO_OPINION_OVERDUE
    ).values_list("case_id", "label", "at"):
        told[pid, label].append(at)
    # a unit released and assigned again later is a new assignment: remind it again
    late = [a for a in late if not any(at >= a.assigned_at for at in told[a.case_id, _co_overdue_label(a)])]
    people = users_by_unit({a.unit_id for a in late})
    events = []
    with transaction.atomic():
        for a in late:
            p = a.case.proposal
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
                    case_id=p.case_id,
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
