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

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhengxie.core.calendar import Calendar
from zhengxie.core.errors import Invalid
from zhengxie.core.models import HandlingUnit, Organisation

from . import kinds
from . import rules as r
from .lights import REPLYING_ROLES, row_light
from .models import Assignment, Case, Evaluation, Reply

SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "assigned": ("assigned_at", "id"),
    "-assigned": ("-assigned_at", "-id"),
}
LIGHTS = ("red", "yellow", "green")
GOOD = (Evaluation.Rating.SATISFIED, Evaluation.Rating.BASICALLY_SATISFIED)


def _subtree(user) -> list[int]:
    """The ids of the organisations in the user's subtree (one query, once per request): given as values,
    not as a subquery, PostgreSQL reads the board's counts from its index in order, without a hash join."""
    ids = getattr(user, "_handling_subtree", None)
    if ids is None:
        ids = user._handling_subtree = list(
            Organisation.objects.filter(path__startswith=user.organisation.path).values_list("pk", flat=True)
        )
    return ids


def owed(user, *, unit=None) -> QuerySet[Assignment]:
    """The assignments the user may see that a unit still owes (Assignment.owes), cases in scope. Reads
    the assignments' copies of their case (organisation, kind, light) and no other table."""
    if r.is_unit_user(user):
        qs = Assignment.objects.filter(unit_id=user.handling_unit_id)
    elif r.can_supervise(user):
        if user.organisation_id is None:
            return Assignment.objects.none()
        qs = Assignment.objects.filter(organisation_id__in=_subtree(user))
        if unit not in (None, ""):
            try:
                qs = qs.filter(unit_id=int(getattr(unit, "pk", unit)))
            except (TypeError, ValueError):
                raise Invalid("承办单位不正确。", field="unit")
    else:
        return Assignment.objects.none()
    return qs.filter(owes=True)


def sent_back():
    """An owed row that has a reply already: its latest reply was rated 不满意 and the unit handles it again
    (重新办理). An owed row with no reply owes its first one; a 会办 unit writes no reply."""
    return Exists(Reply.objects.filter(assignment_id=OuterRef("pk")))


# The inbox's `status=` filters: the row's node (what the unit has still to do), or the case's state.
STATUSES = {
    "unacknowledged": "未签收",
    "change_pending": "申请调整待审",
    "signoff": "待签发",
    "returned": "答复稿已退回",
    "rehandling": "退回重新办理",
    "assigned": "已交办",
    "acknowledged": "已签收办理中",
    "handling": "办理中",
}


def _allowed(values: dict) -> str:
    return "、".join(f"{k}（{v}）" for k, v in values.items())


def _check_kind(kind):
    if kind and kind not in kinds.KINDS:
        raise Invalid(
            f"类型不正确，须为 {_allowed(dict(kinds.choices()))} 之一。", field="kind", code="invalid"
        )


def _check_light(light):
    if light and light not in LIGHTS:
        raise Invalid("督办灯须为 red、yellow 或 green。", field="light", code="invalid")


def _check_status(status):
    if status and status not in STATUSES:
        raise Invalid(f"办理节点不正确，须为 {_allowed(STATUSES)} 之一。", field="status", code="invalid")


def inbox(user, *, kind="", light="", status="", q="", unit=None, sort="deadline") -> QuerySet[Assignment]:
    """承办工作台: everything owed, of every kind, filtered; rows carry their case and unit."""
    qs = owed(user, unit=unit)
    _check_kind(kind)
    _check_light(light)
    _check_status(status)
    if kind:
        qs = qs.filter(kind=kind)
    if light:
        qs = qs.filter(light=light)
    if status == "unacknowledged":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif status == "change_pending":
        qs = qs.filter(change_status=Assignment.ChangeStatus.PENDING)
    elif status == "signoff":  # 待签发: a handler's reply draft waits for the unit head
        qs = qs.filter(signoff="pending")
    elif status == "returned":  # the head returned the draft: the handler edits it
        qs = qs.filter(signoff="returned")
    elif status == "rehandling":  # rated 不满意: handled again, a new reply owed
        qs = qs.filter(sent_back())
    elif status:
        qs = qs.filter(case__status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(case__title__icontains=q) | Q(case__label__icontains=q))
    order = SORTS.get(sort) or SORTS["deadline"]
    return qs.annotate(sent_back=sent_back()).select_related("case", "unit").order_by(*order)


def counted(totals: dict, *, light="", status="", q="") -> int | None:
    """How many rows `inbox` gives with these filters, when the totals of the same scope and kind say it
    (no filter, one light, or unacknowledged alone); None when only a COUNT can tell."""
    if (q or "").strip() or status not in ("", "unacknowledged"):
        return None
    if status == "unacknowledged":
        return None if light else totals["unacknowledged"]
    return totals[light] if light in LIGHTS else totals["total"]


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

    # 来源, given by inbox_rows for a page of rows at once (Kind.sources).
    source: str = ""

    def as_dict(self) -> dict:
        a, c = self.assignment, self.case
        # The row's light (the one the board and the light= filter count), 逾期 and 会办意见逾期 from one rule
        # (lights.row_light).
        light, overdue, co_late = row_light(a.light, a.deadline, a.role, a.owes)
        return {
            "kind": c.kind,
            "kind_label": self.kind.label,
            "id": c.object_id,
            "case_id": c.pk,
            "organisation_id": c.organisation_id,
            "assignment_id": a.pk,
            "label": c.label,
            # 来源: where the item came from (the proposer, the 批示 and its leader, the consultation …).
            "source": self.source or self.kind.sources_of([c])[c.pk],
            "title": c.title,
            "deadline": a.deadline,
            "overdue": overdue,
            # A 会办 unit's own (earlier) deadline has passed and its opinion is still owed.
            "co_late": co_late,
            "light": light,
            "status": c.status,
            "stage": c.stage,
            "role": a.role,
            "role_label": a.get_role_display(),
            "unit": {"id": a.unit_id, "name": a.unit.name},
            "acknowledged": a.acknowledged_at is not None,
            "change_pending": a.change_status == Assignment.ChangeStatus.PENDING,
            # The unit's reply draft: "pending" (待签发 by the head), "returned" (退回修改), or "".
            "signoff": a.signoff,
            # Its reply was rated 不满意: the unit handles it again (重新办理).
            "rehandling": bool(getattr(a, "sent_back", False)),
            "url": self.kind.url(c),
            "acknowledge_url": "" if a.acknowledged_at else self.kind.acknowledge_url(c),
            # Replying units (主办/分办, not 会办) get the kind's reply letter template, if it has one.
            "reply_template_url": "" if a.role == Assignment.Role.CO else self.kind.reply_template_url(c),
        }


def inbox_rows(assignments) -> list[dict]:
    """A page of inbox rows (InboxItem.as_dict), their 来源 read by one query per kind on the page."""
    assignments = list(assignments)
    by_kind: dict[str, list[Case]] = {}
    for a in assignments:
        by_kind.setdefault(a.case.kind, []).append(a.case)
    sources: dict[int, str] = {}
    for kind, cases in by_kind.items():
        sources.update(kinds.get(kind).sources_of(cases))
    return [InboxItem(a, sources.get(a.case_id, "")).as_dict() for a in assignments]


def _empty() -> dict:
    return {"red": 0, "yellow": 0, "green": 0, "none": 0, "total": 0, "unacknowledged": 0}


def _counts(user, kind, unit):
    """Owed rows by unit, kind and light: (unit_id, kind, light, n, unacknowledged) tuples, read from the
    board's index alone (grouped in its order, so without a sort; every column counted is in it, which
    PostgreSQL needs for an index-only scan: `id` is not)."""
    qs = owed(user, unit=unit)
    if kind:  # an unknown kind counts nothing
        qs = qs.filter(kind=kind)
    return (
        qs.values_list("unit_id", "kind", "light")
        .annotate(n=Count("unit_id"), unack=Count("unit_id", filter=Q(acknowledged_at__isnull=True)))
        .order_by()
    )


def _add(target: dict, light: str, n: int, unack: int) -> None:
    target[light or "none"] += n
    target["total"] += n
    target["unacknowledged"] += unack


def totals(user, *, kind="", unit=None) -> dict:
    """Open items (a unit still owes them) by light, and unacknowledged; one query."""
    out = _empty()
    for _unit_id, _kind, light, n, unack in _counts(user, kind, unit):
        _add(out, light, n, unack)
    return out


def board(user, *, kind="", unit=None) -> dict:
    """督办 board figures: open items (a unit still owes them) by light, by unit and by kind; two queries
    (the counts, read from the owed rows' index, then the names of the units in them)."""
    by_unit: dict[int, dict] = {}
    all_units = _empty()
    by_kind: dict[str, int] = {}
    for unit_id, kind_, light, n, unack in _counts(user, kind, unit):
        u = by_unit.get(unit_id)
        if u is None:
            u = by_unit[unit_id] = {"unit_id": unit_id, "name": "", "short_name": "", **_empty()}
        _add(u, light, n, unack)
        _add(all_units, light, n, unack)
        by_kind[kind_] = by_kind.get(kind_, 0) + n
    if by_unit:
        for pk, name, short_name in HandlingUnit.objects.filter(pk__in=list(by_unit)).values_list(
            "pk", "name", "short_name"
        ):
            by_unit[pk]["name"], by_unit[pk]["short_name"] = name, short_name or name
    units = sorted(by_unit.values(), key=lambda x: (-x["red"], -x["yellow"], -x["total"], x["name"]))
    return {
        "totals": all_units,
        "units": units,
        "kinds": [{"kind": k, "label": kinds.get(k).label, "count": n} for k, n in sorted(by_kind.items())],
    }


def unit_figures(user, *, kind="", year=None) -> list[dict]:
    """Per unit, across kinds (民主评议 of units reads these): items assigned (replying parts), replies
    (each unit's latest), on time, open and already past the deadline without a reply (`late_open`: they
    count as late, so the on-time rate is on-time replies ÷ (replies + late_open) — a unit cannot raise its
    rate by not answering), re-handled (a reply of a later round), ratings and satisfaction.
    Each table is scoped by its copy of the case's organisation and counted on unit_id (not id), so that
    the counts come from one index per table (h_assignment_unit_idx, h_reply_unit_idx,
    h_evaluation_unit_idx); the units' names follow in one query."""
    if not r.can_supervise(user) or user.organisation_id is None:
        return []
    scope = Q(organisation_id__in=_subtree(user))
    a_qs = Assignment.objects.filter(scope, is_active=True).exclude(role=Assignment.Role.CO)
    rp_qs = Reply.objects.filter(scope, is_latest=True)
    ev_qs = Evaluation.objects.filter(scope, is_current=True)
    rehandled_qs = Reply.objects.filter(scope, round__gt=1)
    if kind:
        a_qs = a_qs.filter(kind=kind)
        rp_qs, ev_qs, rehandled_qs = (x.filter(case__kind=kind) for x in (rp_qs, ev_qs, rehandled_qs))
    if year:
        a_qs = a_qs.filter(assigned_at__year=int(year))
        rp_qs, rehandled_qs = (x.filter(replied_at__year=int(year)) for x in (rp_qs, rehandled_qs))
        ev_qs = ev_qs.filter(created_at__year=int(year))
    out: dict[int, dict] = {}

    def row(uid):
        return out.setdefault(
            uid,
            {
                "unit_id": uid,
                "name": "",
                "assigned": 0,
                "owed": 0,
                "late_open": 0,
                "replied": 0,
                "on_time": 0,
                "rehandled": 0,
                "rated": 0,
                "good": 0,
            },
        )

    # Past the deadline without any reply yet (is_overdue's rule; a re-handled one has its reply counted).
    late = Q(owes=True, deadline__lt=timezone.localdate()) & ~sent_back()
    for x in (
        a_qs.values("unit_id")
        .annotate(
            n=Count("unit_id"), o=Count("unit_id", filter=Q(owes=True)), late=Count("unit_id", filter=late)
        )
        .order_by()
    ):
        rw = row(x["unit_id"])
        rw["assigned"], rw["owed"], rw["late_open"] = x["n"], x["o"], x["late"]
    for x in (
        rp_qs.values("unit_id")
        .annotate(n=Count("unit_id"), t=Count("unit_id", filter=Q(on_time=True)))
        .order_by()
    ):
        if x["unit_id"] is not None:
            rw = row(x["unit_id"])
            rw["replied"], rw["on_time"] = x["n"], x["t"]
    for x in rehandled_qs.values("unit_id").annotate(n=Count("assignment_id", distinct=True)).order_by():
        if x["unit_id"] is not None:
            row(x["unit_id"])["rehandled"] = x["n"]
    for x in (
        ev_qs.values("unit_id")
        .annotate(n=Count("unit_id"), g=Count("unit_id", filter=Q(rating__in=GOOD)))
        .order_by()
    ):
        if x["unit_id"] is not None:
            rw = row(x["unit_id"])
            rw["rated"], rw["good"] = x["n"], x["g"]
    rows = list(out.values())
    if rows:
        names = dict(HandlingUnit.objects.filter(pk__in=list(out)).values_list("pk", "name"))
        for rw in rows:
            rw["name"] = names.get(rw["unit_id"], "")
    for rw in rows:
        rw["on_time_rate"] = _pct(rw["on_time"], rw["replied"] + rw["late_open"])
        rw["satisfaction"] = _pct(rw["good"], rw["rated"])
    return sorted(rows, key=lambda x: (-(x["assigned"]), x["name"]))


def _pct(n, d):
    return round(100.0 * n / d, 1) if d else None


def today():
    return timezone.localdate()


# --- where each replying unit stands (答复 and 评价), for every kind ----------------------------------------


def rater_key(e) -> str:
    """Who gave a rating: "member:<id>" for a member, else the rating's own key."""
    return f"member:{e.member_id}" if e.member_id else e.rater_key


def as_rater_key(rater) -> str:
    """A member id (int), a Member, or a key already ("citizen:…")."""
    if isinstance(rater, str) and not rater.isdigit():
        return rater
    return f"member:{getattr(rater, 'pk', rater)}"


@dataclass
class UnitAnswer:
    """Where one replying unit stands: its active assignment (主办, or one of the 分办 units), its latest
    reply if any and the ratings of that reply."""

    assignment: Assignment
    reply: Reply | None
    evaluations: list

    @property
    def sent_back(self) -> bool:
        """Rated 不满意: the unit handles it again and replies anew."""
        return any(e.rating == Evaluation.Rating.UNSATISFIED for e in self.evaluations)

    @property
    def awaited(self) -> bool:
        """The unit owes a reply: none yet, or its reply was sent back."""
        return self.reply is None or self.sent_back

    def rated_by(self, rater) -> bool:
        key = as_rater_key(rater)
        return any(rater_key(e) == key for e in self.evaluations)


def case_rows(case) -> dict:
    """The case's prefetched rows ({} when none were prefetched)."""
    return getattr(case, "_prefetched_objects_cache", {}) if case is not None else {}


def unit_answers(case, *, assignments=None, replies=None, evaluations=None) -> list[UnitAnswer]:
    """One UnitAnswer per active replying unit, lead first; uses the rows given or prefetched, else reads them."""
    cache = case_rows(case)
    if assignments is None:
        assignments = (
            cache["assignments"]
            if "assignments" in cache
            else Assignment.objects.filter(case_id=case.pk, is_active=True).select_related("unit")
        )
    units = [a for a in assignments if a.is_active and a.role in REPLYING_ROLES]
    if not units:
        return []
    if replies is None:
        replies = (
            cache["replies"]
            if "replies" in cache
            else Reply.objects.filter(
                case_id=case.pk, assignment_id__in=[a.pk for a in units]
            ).select_related("assignment__unit")
        )
    latest = {}
    for reply in sorted(replies, key=lambda x: x.pk):  # the latest is the last one written
        latest[reply.assignment_id] = reply
    if evaluations is None:
        evaluations = (
            cache["evaluations"]
            if "evaluations" in cache
            else Evaluation.objects.filter(reply_id__in=[x.pk for x in latest.values()]).select_related(
                "member"
            )
        )
    by_reply: dict[int, list] = {}
    for e in evaluations:
        by_reply.setdefault(e.reply_id, []).append(e)
    out = []
    for a in units:
        reply = latest.get(a.pk)
        out.append(UnitAnswer(a, reply, by_reply.get(reply.pk, []) if reply else []))
    return out


def ratable(answers: list[UnitAnswer], rater) -> list[UnitAnswer]:
    """The replies this rater may rate now: each unit's latest, not sent back, not yet rated by them."""
    return [a for a in answers if a.reply is not None and not a.sent_back and not a.rated_by(rater)]


def all_rated(answers: list[UnitAnswer], raters) -> bool:
    """Whether every one of these raters (member ids, Members or rater keys) has rated every replying
    unit's latest reply: the decision a case with several raters (joint proposers, the authors of a
    社情民意 item) waits for before it may close."""
    keys = {as_rater_key(x) for x in raters}
    return all(a.reply is not None and all(a.rated_by(k) for k in keys) for a in answers)


def is_parallel(case, assignments=None) -> bool:
    """分办: several units each answer their part."""
    cache = case_rows(case)
    if assignments is None and "assignments" in cache:
        assignments = cache["assignments"]
    if assignments is not None:
        return any(a.is_active and a.role == Assignment.Role.PARALLEL for a in assignments)
    return Assignment.objects.filter(case_id=case.pk, is_active=True, role=Assignment.Role.PARALLEL).exists()


def change_window_open(case, assignment, today=None) -> bool:
    """A unit may ask for another unit within "<prefix>.change_request_days" working days of receipt."""
    today = today or timezone.localdate()
    received = timezone.localdate(assignment.acknowledged_at or assignment.assigned_at)
    days = kinds.get(case.kind).days(case.organisation, "change_request_days")
    return today <= Calendar(case.organisation).add(received, days)


def evaluation_deadline(case, reply):
    """The raters have "<prefix>.evaluation_days" working days after the reply."""
    days = kinds.get(case.kind).days(case.organisation, "evaluation_days")
    return Calendar(case.organisation).add(timezone.localdate(reply.replied_at), days)


def reply_letter(case_id: int, reply_id: int):
    """The signed 答复函 of this reply of this case; None when the reply is not the case's or has no letter.
    The case API and the proposals' API serve it (the caller has checked who may see the case)."""
    rp = Reply.objects.filter(pk=reply_id, case_id=case_id).select_related("letter").first()
    return rp.letter if rp is not None else None
