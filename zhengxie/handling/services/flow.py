"""The whole handling of kinds that have no workflow of their own (批示落实, 微建议, 整改 items,
consultation recommendations, key tasks): the case itself carries the state.

    route → assigned → (签收) acknowledged → (答复) replied → (评价 满意/基本满意) closed
                                                            → (评价 不满意) rehandling → replied …

A module opens such a case with `route` from inside its own service (it has checked who may route and
its own item), and the spine does the rest: the unit's inbox, the lights, the reply, the rating and the
close, which calls the kind's `on_close` hook. Case.status holds one of FLOW_STATUSES.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.notifications import notify

from .. import kinds
from ..models import Case, Event
from .cases import case_sync, open_case
from .units import assign

ASSIGNED = "assigned"
ACKNOWLEDGED = "acknowledged"
REPLIED = "replied"
REHANDLING = "rehandling"
CLOSED = "closed"
FLOW_STATUSES = {
    ASSIGNED: "已交办",
    ACKNOWLEDGED: "办理中",
    REPLIED: "已答复",
    REHANDLING: "重新办理",
    CLOSED: "已办结",
}


def event(case: Case, user, action: str, label: str, detail: str = "") -> Event:
    """A timeline entry on the case (who, when, what)."""
    return Event.objects.create(
        case_id=case.pk,
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=(getattr(user, "name", "") or getattr(user, "username", ""))[:100] if user else "系统",
        action=action,
        label=label[:200],
        detail=detail,
    )


def route(
    *,
    user,
    kind: str,
    item,
    organisation,
    title: str,
    unit,
    label: str = "",
    category: str = "",
    deadline=None,
    note: str = "",
) -> Case:
    """交办 an item to one unit: open its case, assign the unit (deadline: given, or the kind's reply time),
    put the case in handling and tell the unit's handlers. Runs inside the caller's transaction."""
    from ..jobs import users_by_unit
    from ..lights import refresh

    k = kinds.get(kind)
    with transaction.atomic():
        case = open_case(
            kind=kind, item=item, organisation_id=organisation.pk, title=title[:200], label=label
        )
        done = assign(user=user, case=case, lead_unit=unit, deadline=deadline)
        case_sync(
            case.pk,
            title=title[:200],
            label=label,
            category=category,
            status=ASSIGNED,
            stage=Case.Stage.HANDLING,
            assigned_at=done.at,
            deadline=done.deadline,
        )
        refresh([case.pk])
        case.refresh_from_db()
        event(case, user, "assign", f"交办：{done.lead.name}，期限 {done.deadline:%Y-%m-%d}", note)
        audit.record(
            user,
            f"handling.{kind}.assign",
            case,
            after={"unit": done.lead.pk, "deadline": done.deadline.isoformat()},
            organisation=organisation,
        )
        people = users_by_unit([done.lead.pk]).get(done.lead.pk, {})
        notify(
            people.get("handler", []) + people.get("head", []),
            f"新交办{k.label}：{title}",
            f"请及时签收，并于 {done.deadline:%Y年%m月%d日} 前答复。{note}".strip(),
            url=k.url(case),
            category="handling",
        )
    return case


def now():
    return timezone.now()
