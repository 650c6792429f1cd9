"""Reads of 跟踪落实 (follow-ups of B-class replies), scoped like the proposals they belong to.

- the proposal office and the committee's leaders (主席/副主席, read-only) see the 台账 of their organisation
  and, at a higher level, of its whole subtree (like the proposal lists);
- a handling unit's users see their unit's follow-ups;
- everybody who may see a proposal sees its follow-ups on the proposal (visible_proposals).
Invisible follow-ups are 404.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from zhengxie.core.errors import Invalid
from zhengxie.core.permissions import org_scope_q
from zhengxie.handling.rules import is_case_office
from zhengxie.handling.services import followups as spine_followups

from .. import rules as r
from ..models import FollowUp, FollowUpReport
from ..selectors import visible_proposals

F = FollowUp.Status
STATUS_FILTERS = {
    "open": (F.OPEN, F.REPORTED_DONE),  # not done yet (including reported, awaiting confirmation)
    "reported_done": (F.REPORTED_DONE,),
    "done": (F.DONE,),
    "superseded": (F.SUPERSEDED,),
}
STATUS_FILTER_LABELS = [
    ("open", "落实中（含待确认）"),
    ("reported_done", "已报落实待确认"),
    ("done", "已落实"),
    ("superseded", "已终止"),
]


def reports_prefetch() -> Prefetch:
    return Prefetch("reports", queryset=FollowUpReport.objects.select_related("attachment", "reported_by"))


def visible_followups(user) -> QuerySet[FollowUp]:
    """Follow-ups of the proposals the user may see."""
    return FollowUp.objects.filter(case__proposal__in=visible_proposals(user))


def can_view_ledger(user) -> bool:
    """落实台账: the proposal office, and the committee's leaders (read-only: they confirm nothing)."""
    return r.is_proposal_office(user) or r.is_committee_leader(user)


def ledger_scope(user) -> QuerySet[FollowUp]:
    """What a list shows: the office and the leaders their organisation's follow-ups (a higher level its
    subtree), a unit its own; nobody else has a list."""
    if can_view_ledger(user):
        return FollowUp.objects.filter(org_scope_q(user, "case__proposal__organisation"))
    if r.is_unit_user(user):
        return FollowUp.objects.filter(
            assignment__unit_id=user.handling_unit_id, case__proposal__organisation_id=user.organisation_id
        )
    return FollowUp.objects.none()


# The unit's to-do cards and the list they open (跟踪落实 ?todo=): key -> (label, which follow-ups).
UNIT_TODO_LABELS = {"late": "跟踪落实逾期的B类提案", "open": "跟踪落实中的B类提案"}


def unit_todo_q() -> dict[str, Q]:
    """What a unit still has to report on: open follow-ups, and those past their planned date."""
    return {"late": Q(status=F.OPEN, planned_date__lt=timezone.localdate()), "open": Q(status=F.OPEN)}


def followup_list(user, *, status: str = "", unit=None, session=None, overdue=None) -> QuerySet[FollowUp]:
    """台账 rows, filtered; superseded follow-ups only when asked for. A constant number of queries."""
    qs = ledger_scope(user)
    status = (status or "").strip()
    if status:
        if status not in STATUS_FILTERS:
            raise Invalid("状态须为 open、reported_done、done 或 superseded。", field="status")
        qs = qs.filter(status__in=STATUS_FILTERS[status])
    else:
        qs = qs.exclude(status=F.SUPERSEDED)
    if unit not in (None, ""):
        qs = qs.filter(assignment__unit_id=getattr(unit, "pk", unit))
    if session not in (None, ""):
        qs = qs.filter(case__proposal__session_id=getattr(session, "pk", session))
    if overdue is not None and overdue != "":
        late = Q(status=F.OPEN, planned_date__lt=timezone.localdate())
        wanted = overdue if isinstance(overdue, bool) else str(overdue).lower() in ("1", "true", "yes", "on")
        qs = qs.filter(late) if wanted else qs.exclude(late)
    return (
        qs.select_related(
            "case__proposal__session", "case__proposal__lead_member", "assignment__unit", "reply"
        )
        .annotate(report_count=Count("reports"))
        .order_by(_STATUS_ORDER, "planned_date", "opened_at", "id")
    )


# What the office must act on first: reported done (to confirm), then open, then done.
_STATUS_ORDER = Case(
    When(status=F.REPORTED_DONE, then=Value(0)),
    When(status=F.OPEN, then=Value(1)),
    When(status=F.DONE, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def get_followup(user, pk) -> FollowUp:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到")
    f = (
        visible_followups(user)
        .filter(pk=pk)
        .select_related(
            "case__proposal__session",
            "case__proposal__organisation",
            "case__proposal__lead_member",
            "assignment__unit",
            "reply",
            "confirmed_by",
        )
        .prefetch_related(reports_prefetch())
        .first()
    )
    if f is None:
        raise Http404("未找到")
    return f


def proposal_followups(proposal) -> list[FollowUp]:
    """The follow-ups of a proposal the caller already may see (uses the prefetch when there is one)."""
    cache = proposal.case_cache()
    if "followups" in cache:
        return list(cache["followups"])
    return list(
        FollowUp.objects.filter(case_id=proposal.case_id)
        .select_related("assignment__unit", "confirmed_by")
        .prefetch_related(reports_prefetch())
        .order_by("opened_at", "id")
    )


can_report = spine_followups.can_report  # a user of the unit whose reply is followed up


def can_confirm(user, f: FollowUp) -> bool:
    return is_case_office(user, f.case)


def followup_actions(user, f: FollowUp) -> set[str]:
    """What the user may do with the follow-up now (pages show only these; services check again)."""
    out = set()
    if can_report(user, f) and f.status == F.OPEN:
        out |= {"report", "plan"}
    if can_confirm(user, f):
        if f.status == F.REPORTED_DONE:
            out.add("confirm")
        if f.status == F.OPEN:
            out.add("remind")
    return out
