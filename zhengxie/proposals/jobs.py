"""Daily supervision (节点督办): recompute every proposal's traffic light and tell the people concerned.

- turning yellow → the handling unit's handlers;
- turning red → the handlers and the unit's heads (unit_head users).
(The proposer is told about a reply, and the office about an unsatisfied rating, by the services.)
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from zhengxie.core import audit
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register

from .lights import REPLYING_ROLES, late_nodes, refresh_lights
from .models import Event, Proposal

RANK = {"": 0, "green": 1, "yellow": 2, "red": 3}


def _users_by_unit(unit_ids) -> dict[int, dict[str, list[User]]]:
    out: dict[int, dict[str, list[User]]] = defaultdict(lambda: {"handler": [], "head": []})
    qs = (User.objects.filter(handling_unit_id__in=list(unit_ids), is_active=True,
                              groups__name__in=[Role.UNIT_HANDLER, Role.UNIT_HEAD])
          .prefetch_related("groups").distinct())
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
        worse = [(p, old, new) for p, old, new in changes if new in ("yellow", "red") and RANK[new] > RANK[old]]
        unit_ids = {a.unit_id for p, _, _ in worse for a in p.assignments.all() if a.role in REPLYING_ROLES}
        people = _users_by_unit(unit_ids)
        events = []
        for p, _old, new in worse:
            units = [a for a in p.assignments.all() if a.role in REPLYING_ROLES]
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
            events.append(Event(proposal=p, actor=None, actor_label="系统", action="light",
                                label=f"督办灯变为{Proposal.Light(new).label}"))
        Event.objects.bulk_create(events)
        if changes:
            audit.record(None, "proposals.lights", None, after={
                "changed": len(changes), "yellow": sum(1 for c in changes if c[2] == "yellow"),
                "red": sum(1 for c in changes if c[2] == "red")})
    return {"changed": len(changes), "notified": len(worse)}


def _today():
    from django.utils import timezone

    return timezone.localdate()


@register("proposals.lights", every="daily", label="提案红黄绿灯与督办提醒")
def daily_lights():
    return check_lights()
