"""红黄绿三色管理 for every kind (domain.md, "Supervision"), on the case and its assignments:

- no light unless the case is in handling (units owe replies);
- red when the deadline has passed;
- yellow when the deadline is within "<prefix>.yellow_days" days, or a node is late: a replying unit has
  not acknowledged receipt within "<prefix>.acknowledge_days" working days of assignment, or has recorded
  no contact with the proposer within "<prefix>.contact_days" working days (0: no contact required);
- green otherwise.
The case's assignments carry a copy of the light (the 督办 board counts them); a kind whose item keeps its
own `light` column (proposals: their list and statistics indexes read it) gets the new value written
there too (Kind.item_model). A 会办 unit's row has a light of its own (`co_light`): its opinion is due by
its own, earlier deadline, so the row is red once that has passed, yellow within the kind's yellow_days of
it, green before — the light its row shows and the board and the inbox count (`refresh_co_rows`).
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Prefetch, Q
from django.utils import timezone

from zhengxie.core.calendar import Calendar

from . import kinds
from .models import Assignment, Case

REPLYING_ROLES = (Assignment.Role.LEAD, Assignment.Role.PARALLEL)


class Numbers:
    """Per-organisation and per-kind numbers and calendars, read once."""

    def __init__(self):
        self._cache = {}

    def get(self, case):
        key = (case.organisation_id, case.kind)
        if key not in self._cache:
            kind, org = kinds.get(case.kind), case.organisation
            self._cache[key] = (
                Calendar(org),
                kind.days(org, "yellow_days"),
                kind.days(org, "acknowledge_days"),
                kind.days(org, "contact_days"),
                kind.node_statuses,
                kind.proposer_label,
            )
        return self._cache[key]


def _unit_name(a) -> str:
    return (a.unit.short_name or a.unit.name) if Assignment.unit.is_cached(a) else ""


def late_nodes(case, today: datetime.date, numbers: Numbers | None = None) -> list[str]:
    """The handling nodes that are late (节点督办), as Chinese labels. Uses case.assignments (prefetch them
    with their units and contacts)."""
    if case.stage != Case.Stage.HANDLING:
        return []
    cal, _yellow, ack_days, contact_days, node_statuses, proposer = (numbers or Numbers()).get(case)
    if node_statuses and case.status not in node_statuses:
        return []
    late = []
    for a in case.assignments.all():
        if not a.is_active or a.role not in REPLYING_ROLES:
            continue
        elapsed = cal.between(timezone.localdate(a.assigned_at), today)
        if a.acknowledged_at is None and elapsed > ack_days:
            late.append(f"{_unit_name(a)}逾期未签收")
        if contact_days and elapsed > contact_days and not any(True for _ in a.contacts.all()):
            late.append(f"{_unit_name(a)}逾期未联系{proposer}")
    return late


def compute_light(case, today: datetime.date | None = None, numbers: Numbers | None = None):
    """'green' | 'yellow' | 'red' | None."""
    if case.stage != Case.Stage.HANDLING or case.deadline is None:
        return None
    today = today or timezone.localdate()
    numbers = numbers or Numbers()
    by_deadline = deadline_light(case.deadline, today, lambda: numbers.get(case)[1])
    if by_deadline is not None:
        return by_deadline
    if late_nodes(case, today, numbers):
        return Case.Light.YELLOW.value
    return Case.Light.GREEN.value


def deadline_light(deadline: datetime.date, today: datetime.date, yellow_days) -> str | None:
    """What a deadline alone says: red once it has passed, yellow within yellow_days() of it, None before.
    `yellow_days` is called only when the deadline has not passed (a red item reads no settings)."""
    if deadline < today:
        return Case.Light.RED.value
    if (deadline - today).days <= yellow_days():
        return Case.Light.YELLOW.value
    return None


def co_light(case_light: str, deadline, today: datetime.date, yellow_days: int) -> str:
    """A 会办 unit's own light, from its own deadline for its opinion: none while the case has none (not in
    handling); red once the deadline has passed, yellow within `yellow_days` of it, green before; the
    case's light when the row has no deadline."""
    if not case_light or deadline is None:
        return case_light or ""
    return deadline_light(deadline, today, lambda: yellow_days) or Case.Light.GREEN.value


def row_light(light: str, deadline, role: str, owes: bool):
    """The light, the 逾期 label and the 会办意见逾期 label of one unit's row (inbox, board), from one rule:
    the light is the row's stored copy (the case's; a 会办 unit's own, `co_light`), which the board and the
    `light=` filter count, so a row shows the light it is counted under. 逾期 is exactly "the light is red"
    on a replying unit's row — never a green dot beside 逾期, nor a red one without it; a 会办 unit's
    opinion is due before the case's reply, and its own deadline passed (before today) while it still owes
    is said as 会办意见逾期 (as on the proposal's page), beside its red light. Returns (light or None,
    overdue, co_late)."""
    light = light or None
    is_co = role == Assignment.Role.CO
    co_late = bool(is_co and owes and deadline is not None and deadline < timezone.localdate())
    return light, light == Case.Light.RED.value and not is_co, co_late


def refresh_co_rows(case_ids=None, *, today: datetime.date | None = None, numbers: Numbers | None = None):
    """Write each active 会办 row's own light (co_light) into its stored copy: of these cases, or (None: the
    daily job) of every 会办 unit still owing an opinion. Returns how many rows changed."""
    today = today or timezone.localdate()
    numbers = numbers or Numbers()
    qs = Assignment.objects.filter(role=Assignment.Role.CO, is_active=True)
    if case_ids is None:
        qs = qs.filter(owes=True)
    else:
        ids = list(case_ids)
        if not ids:
            return 0
        qs = qs.filter(case_id__in=ids)
    by_light: dict[str, list[int]] = {}
    for a in qs.select_related("case__organisation").only(
        "light", "deadline", "case__light", "case__kind", "case__organisation"
    ):
        new = co_light(a.case.light, a.deadline, today, numbers.get(a.case)[1])
        if new != a.light:
            by_light.setdefault(new, []).append(a.pk)
    for light, pks in by_light.items():
        for i in range(0, len(pks), 500):
            Assignment.objects.filter(pk__in=pks[i : i + 500]).update(light=light)
    return sum(len(x) for x in by_light.values())


def with_facts(qs):
    """Cases with what the light needs: organisation, active assignments with units and contacts."""
    return qs.select_related("organisation").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(is_active=True)
            .select_related("unit")
            .prefetch_related("contacts"),
        )
    )


def _mirror(changes):
    """Write new lights into the cases' assignments (the board and the inbox read their copy) and into the
    items of kinds that keep their own copy."""
    by_light: dict[str, list[int]] = {}
    by_model: dict[tuple[str, str], list[int]] = {}
    for case, _old, new in changes:
        by_light.setdefault(new, []).append(case.pk)
        model = kinds.get(case.kind).item_model
        if model:
            by_model.setdefault((model, new), []).append(case.pk)
    for light, ids in by_light.items():
        for i in range(0, len(ids), 500):
            # A 会办 unit's row keeps its own light (refresh_co_rows), from its own deadline.
            Assignment.objects.filter(case_id__in=ids[i : i + 500]).exclude(
                role=Assignment.Role.CO, is_active=True
            ).update(light=light)
    for (model, light), ids in by_model.items():
        Model = apps.get_model(model)
        for i in range(0, len(ids), 500):
            Model.objects.filter(case_id__in=ids[i : i + 500]).update(light=light)


def refresh(case_ids) -> dict[int, str]:
    """Recompute and store the light of these cases (services call it after a change); returns {id: light}."""
    changes, out = [], {}
    numbers = Numbers()
    for case in with_facts(Case.objects.filter(pk__in=list(case_ids))):
        new = compute_light(case, numbers=numbers) or ""
        out[case.pk] = new
        if new != case.light:
            changes.append((case, case.light, new))
            Case.objects.filter(pk=case.pk).update(light=new)
    _mirror(changes)
    refresh_co_rows(list(out), numbers=numbers)
    return out


def refresh_lights(*, today: datetime.date | None = None, organisation=None) -> list[tuple[Case, str, str]]:
    """Recompute the stored light of every case that has or should have one (the daily job).

    Returns the changes as (case, old, new), with '' for no light; cases come with organisation and
    active assignments (with units) loaded.
    """
    today = today or timezone.localdate()
    qs = Case.objects.filter(Q(stage=Case.Stage.HANDLING) | ~Q(light=""))
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    numbers = Numbers()
    changes = []
    for case in with_facts(qs).iterator(chunk_size=500):
        new = compute_light(case, today, numbers) or ""
        if new != case.light:
            changes.append((case, case.light, new))
            case.light = new
    for i in range(0, len(changes), 500):
        Case.objects.bulk_update([c[0] for c in changes[i : i + 500]], ["light"])
    _mirror(changes)
    # The 会办 units' own deadlines pass whatever their case's light does.
    refresh_co_rows(None, today=today, numbers=numbers)
    return changes
