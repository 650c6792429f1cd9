"""Reads of the spine, scoped to what the user may see: the unit inbox (承办工作台), the 督办 board and the
per-unit figures across kinds. Each reads cases and assignments only (a few index reads, whatever the
number of items), never the items themselves.

- a unit user sees what their unit owes;
- a handling office, leaders and system administrators see their organisation's subtree, optionally
  one unit (`unit=`);
- anybody else sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengxie.core.errors import Invalid
from zhengxie.core.models import HandlingUnit
from zhengxie.core.permissions import org_scope_q

from . import kinds
from . import rules as r
from .models import Assignment, Case, Evaluation, Reply

SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "assigned": ("assigned_at", "id"),
    "-assigned": ("-assigned_at", "-id"),
}
LIGHTS = ("red", "yellow", "green")
GOOD = (Evaluation.Rating.SATISFIED, Evaluation.Rating.BASICALLY_SATISFIED)


def owed(user, *, unit=None) -> QuerySet[Assignment]:
    """The assignments the user may see that a unit still owes (Assignment.owes), cases in scope."""
    if r.is_unit_user(user):
        qs = Assignment.objects.filter(unit_id=user.handling_unit_id)
    elif r.can_supervise(user):
        qs = Assignment.objects.filter(org_scope_q(user, "case__organisation"))
        if unit not in (None, ""):
            try:
                qs = qs.filter(unit_id=int(getattr(unit, "pk", unit)))
            except (TypeError, ValueError):
                raise Invalid("承办单位不正确。", field="unit")
    else:
        return Assignment.objects.none()
    return qs.filter(owes=True)


def inbox(user, *, kind="", light="", status="", q="", unit=None, sort="deadline") -> QuerySet[Assignment]:
    """承办工作台: everything owed, of every kind, filtered; rows carry their case and unit."""
    qs = owed(user, unit=unit)
    if kind:
        if kind not in kinds.KINDS:
            raise Invalid("类型不正确。", field="kind")
        qs = qs.filter(case__kind=kind)
    if light:
        if light not in LIGHTS:
            raise Invalid("督办灯须为 red、yellow 或 green。", field="light")
        qs = qs.filter(case__light=light)
    if status == "unacknowledged":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif status == "change_pending":
        qs = qs.filter(change_status=Assignment.ChangeStatus.PENDING)
    elif status:
        qs = qs.filter(case__status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(case__title__icontains=q) | Q(case__label__icontains=q))
    order = SORTS.get(sort) or SORTS["deadline"]
    return qs.select_related("case", "unit").order_by(*order)


@dataclass
class InboxItem:
    """One row of the inbox, the same for every kind (the API's {kind, id, title, deadline, light, status, url})."""

    assignment: Assignment

    @property
    def case(self) -> Case:
        return self.assignment.case

    @property
    def kind(self) -> kinds.Kind:
        return kinds.get(self.case.kind)

    def as_dict(self) -> dict:
        a, c = self.assignment, self.case
        return {
            "kind": c.kind,
            "kind_label": self.kind.label,
            "id": c.object_id,
            "case_id": c.pk,
            "assignment_id": a.pk,
            "label": c.label,
            "title": c.title,
            "deadline": a.deadline,
            "light": c.light or None,
            "status": c.status,
            "stage": c.stage,
            "role": a.role,
            "role_label": a.get_role_display(),
            "unit": {"id": a.unit_id, "name": a.unit.name},
            "acknowledged": a.acknowledged_at is not None,
            "change_pending": a.change_status == Assignment.ChangeStatus.PENDING,
            "url": self.kind.url(c),
        }


def board(user, *, kind="", unit=None) -> dict:
    """督办 board figures: open items (a unit still owes them) by light, by unit and by kind; two queries."""
    qs = owed(user, unit=unit)
    if kind:
        qs = qs.filter(case__kind=kind)
    by_unit: dict[int, dict] = {}
    totals = {"red": 0, "yellow": 0, "green": 0, "none": 0, "total": 0, "unacknowledged": 0}
    by_kind: dict[str, int] = {}
    rows = (
        qs.values("unit_id", "unit__name", "unit__short_name", "case__kind", "case__light")
        .annotate(n=Count("id"), unack=Count("id", filter=Q(acknowledged_at__isnull=True)))
        .order_by()
    )
    for row in rows:
        u = by_unit.setdefault(
            row["unit_id"],
            {
                "unit_id": row["unit_id"],
                "name": row["unit__name"],
                "short_name": row["unit__short_name"] or row["unit__name"],
                "red": 0,
                "yellow": 0,
                "green": 0,
                "none": 0,
                "total": 0,
                "unacknowledged": 0,
            },
        )
        light = row["case__light"] or "none"
        for target in (u, totals):
            target[light] += row["n"]
            target["total"] += row["n"]
            target["unacknowledged"] += row["unack"]
        by_kind[row["case__kind"]] = by_kind.get(row["case__kind"], 0) + row["n"]
    units = sorted(by_unit.values(), key=lambda x: (-x["red"], -x["yellow"], -x["total"], x["name"]))
    return {
        "totals": totals,
        "units": units,
        "kinds": [{"kind": k, "label": kinds.get(k).label, "count": n} for k, n in sorted(by_kind.items())],
    }


def unit_figures(user, *, kind="", year=None) -> list[dict]:
    """Per unit, across kinds (民主评议 of units reads these): items assigned (replying parts), replies
    (each unit's latest), on time, re-handled (a reply of a later round), ratings and satisfaction."""
    if not r.can_supervise(user):
        return []
    scope = org_scope_q(user, "case__organisation")
    a_qs = Assignment.objects.filter(scope, is_active=True).exclude(role=Assignment.Role.CO)
    rp_qs = Reply.objects.filter(scope, is_latest=True)
    ev_qs = Evaluation.objects.filter(scope, is_current=True)
    rehandled_qs = Reply.objects.filter(scope, round__gt=1)
    if kind:
        a_qs, rp_qs, ev_qs, rehandled_qs = (
            x.filter(case__kind=kind) for x in (a_qs, rp_qs, ev_qs, rehandled_qs)
        )
    if year:
        a_qs = a_qs.filter(assigned_at__year=int(year))
        rp_qs, rehandled_qs = (x.filter(replied_at__year=int(year)) for x in (rp_qs, rehandled_qs))
        ev_qs = ev_qs.filter(created_at__year=int(year))
    out: dict[int, dict] = {}

    def row(uid, name=""):
        return out.setdefault(
            uid,
            {
                "unit_id": uid,
                "name": name,
                "assigned": 0,
                "owed": 0,
                "replied": 0,
                "on_time": 0,
                "rehandled": 0,
                "rated": 0,
                "good": 0,
            },
        )

    for x in (
        a_qs.values("unit_id", "unit__name")
        .annotate(n=Count("id"), o=Count("id", filter=Q(owes=True)))
        .order_by()
    ):
        rw = row(x["unit_id"], x["unit__name"])
        rw["assigned"], rw["owed"] = x["n"], x["o"]
    for x in (
        rp_qs.values("unit_id").annotate(n=Count("id"), t=Count("id", filter=Q(on_time=True))).order_by()
    ):
        rw = row(x["unit_id"])
        rw["replied"], rw["on_time"] = x["n"], x["t"]
    for x in rehandled_qs.values("unit_id").annotate(n=Count("assignment_id", distinct=True)).order_by():
        row(x["unit_id"])["rehandled"] = x["n"]
    for x in (
        ev_qs.values("unit_id").annotate(n=Count("id"), g=Count("id", filter=Q(rating__in=GOOD))).order_by()
    ):
        rw = row(x["unit_id"])
        rw["rated"], rw["good"] = x["n"], x["g"]
    rows = [rw for uid, rw in out.items() if uid is not None]
    missing = [rw for rw in rows if not rw["name"]]
    if missing:
        names = dict(
            HandlingUnit.objects.filter(pk__in=[rw["unit_id"] for rw in missing]).values_list("pk", "name")
        )
        for rw in missing:
            rw["name"] = names.get(rw["unit_id"], "")
    for rw in rows:
        rw["on_time_rate"] = _pct(rw["on_time"], rw["replied"])
        rw["satisfaction"] = _pct(rw["good"], rw["rated"])
    return sorted(rows, key=lambda x: (-(x["assigned"]), x["name"]))


def _pct(n, d):
    return round(100.0 * n / d, 1) if d else None


def today():
    return timezone.localdate()
