"""Proposal deadlines on top of the spine's lights (handling/lights.py computes every kind's light):
the light of one proposal, the co-units' opinion limit and the review limit (立案审查时限)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.calendar import Calendar
from zhengxie.handling import lights as spine_lights
from zhengxie.handling.lights import REPLYING_ROLES  # noqa: F401  (re-exported for this app)
from zhengxie.handling.models import Case

from .models import Assignment, Proposal
from .workflow import HANDLING_STATES


def light_of(proposal, today: datetime.date | None = None) -> str:
    """The light of one proposal, freshly computed on its case (and stored on both): '' when none."""
    case_id = (
        proposal.case_id
        if isinstance(proposal, Proposal)
        else (Proposal.objects.filter(pk=proposal).values_list("case_id", flat=True).first())
    )
    if case_id is None:
        return ""
    if today is not None:
        case = spine_lights.with_facts(Case.objects.filter(pk=case_id)).get()
        return spine_lights.compute_light(case, today) or ""
    return spine_lights.refresh([case_id]).get(case_id, "")


def late_nodes(proposal, today: datetime.date) -> list[str]:
    """The handling nodes of a proposal that are late (节点督办), as Chinese labels."""
    if proposal.case_id is None:
        return []
    case = spine_lights.with_facts(Case.objects.filter(pk=proposal.case_id)).get()
    return spine_lights.late_nodes(case, today)


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
