"""红黄绿三色管理: the traffic light of a proposal in handling (domain.md, "Supervision").

- None when the proposal is not being handled (assigned, handling, rehandling);
- red when the deadline has passed;
- yellow when the deadline is within "proposals.yellow_days" days, or a node is late: the lead unit has
  not acknowledged receipt within "proposals.acknowledge_days" working days of assignment, or has
  recorded no contact with the proposer within "proposals.contact_days" working days;
- green otherwise.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from zhengxie.core import orgsettings

from .models import Assignment, Proposal
from .workdays import Calendar

HANDLING_STATES = (Proposal.Status.ASSIGNED, Proposal.Status.HANDLING, Proposal.Status.REHANDLING)
REPLYING_ROLES = (Assignment.Role.LEAD, Assignment.Role.PARALLEL)


class _Settings:
    """Per-organisation numbers and calendar, read once per organisation."""

    def __init__(self):
        self._cache = {}

    def get(self, organisation):
        key = organisation.pk
        if key not in self._cache:
            self._cache[key] = (
                Calendar(organisation),
                int(orgsettings.get(organisation, "proposals.yellow_days")),
                int(orgsettings.get(organisation, "proposals.acknowledge_days")),
                int(orgsettings.get(organisation, "proposals.contact_days")),
            )
        return self._cache[key]


def late_nodes(proposal, today: datetime.date, settings_cache: _Settings | None = None) -> list[str]:
    """The handling nodes that are late (节点督办), as Chinese labels."""
    if proposal.status not in (Proposal.Status.ASSIGNED, Proposal.Status.HANDLING):
        return []
    cal, _yellow, ack_days, contact_days = (settings_cache or _Settings()).get(proposal.organisation)
    late = []
    for a in proposal.assignments.all():
        if not a.is_active or a.role not in REPLYING_ROLES:
            continue
        assigned_on = timezone.localdate(a.assigned_at)
        elapsed = cal.between(assigned_on, today)
        if a.acknowledged_at is None and elapsed > ack_days:
            late.append(f"{a.unit.short_name or a.unit.name}逾期未签收" if _unit_loaded(a) else "逾期未签收")
        if elapsed > contact_days and not any(True for _ in a.contacts.all()):
            late.append(
                f"{a.unit.short_name or a.unit.name}逾期未联系提案人"
                if _unit_loaded(a)
                else "逾期未联系提案人"
            )
    return late


def _unit_loaded(assignment) -> bool:
    return Assignment.unit.is_cached(assignment)


def compute_light(proposal, today: datetime.date | None = None, settings_cache: _Settings | None = None):
    """'green' | 'yellow' | 'red' | None. Uses proposal.assignments (and their contacts): prefetch them."""
    if proposal.status not in HANDLING_STATES or proposal.deadline is None:
        return None
    today = today or timezone.localdate()
    settings_cache = settings_cache or _Settings()
    if today > proposal.deadline:
        return Proposal.Light.RED.value
    _cal, yellow_days, _ack, _contact = settings_cache.get(proposal.organisation)
    if (proposal.deadline - today).days <= yellow_days:
        return Proposal.Light.YELLOW.value
    if late_nodes(proposal, today, settings_cache):
        return Proposal.Light.YELLOW.value
    return Proposal.Light.GREEN.value


def _with_facts(qs):
    return qs.select_related("organisation").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(is_active=True)
            .select_related("unit")
            .prefetch_related("contacts"),
        )
    )


def light_of(proposal_pk: int, today: datetime.date | None = None) -> str:
    """The light of one proposal, freshly read (used by services after a change): '' when none."""
    p = _with_facts(Proposal.objects.filter(pk=proposal_pk)).get()
    return compute_light(p, today) or ""


def refresh_lights(
    *, today: datetime.date | None = None, organisation=None
) -> list[tuple[Proposal, str, str]]:
    """Recompute the stored light of every proposal that has or should have one.

    Returns the changes as (proposal, old, new), with '' for no light; proposals come with
    organisation and active assignments (with units) loaded.
    """
    today = today or timezone.localdate()
    qs = Proposal.objects.filter(status__in=HANDLING_STATES) | Proposal.objects.exclude(light="")
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    settings_cache = _Settings()
    changes = []
    for p in _with_facts(qs.distinct()).iterator(chunk_size=500):
        new = compute_light(p, today, settings_cache) or ""
        if new != p.light:
            changes.append((p, p.light, new))
            p.light = new
    for i in range(0, len(changes), 500):
        Proposal.objects.bulk_update([c[0] for c in changes[i : i + 500]], ["light"])
    return changes


def co_opinion_late(proposal, assignment, now=None, days: int | None = None) -> bool:
    """Whether a co-unit (会办) is late with its opinion: active, no opinion yet, the proposal still in
    handling, and assigned more than "proposals.co_opinion_days" days ago."""
    if (
        assignment.role != Assignment.Role.CO
        or not assignment.is_active
        or assignment.co_opinion
        or proposal.status not in HANDLING_STATES
    ):
        return False
    if days is None:
        days = int(orgsettings.get(proposal.organisation, "proposals.co_opinion_days"))
    return assignment.assigned_at + datetime.timedelta(days=days) < (now or timezone.now())


def review_deadline(
    proposal, calendar: Calendar | None = None, days: int | None = None
) -> datetime.date | None:
    """立案审查时限: "proposals.review_days" working days after submission."""
    if proposal.submitted_at is None:
        return None
    if days is None:
        days = int(orgsettings.get(proposal.organisation, "proposals.review_days"))
    return (calendar or Calendar(proposal.organisation)).add(timezone.localdate(proposal.submitted_at), days)


def review_late_before(organisation, today: datetime.date | None = None) -> datetime.datetime:
    """Submitted proposals of this organisation submitted before this moment are past their review deadline."""
    today = today or timezone.localdate()
    days = int(orgsettings.get(organisation, "proposals.review_days"))
    last = Calendar(organisation).latest_late_start(today, days)
    return timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
