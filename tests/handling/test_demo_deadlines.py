"""The demo's deadlines are legal by the spine's own rules (issue #8): the demo gave proposals in handling
deadlines up to 338 days after their assignment, beyond 「交办之日起 180 天」, which no 交办 nor 延期 could set —
and the 督办台 then offered 延期 on them. Each item of a kind with a limit owes its reply by
supervision.latest_deadline, or, re-handled after 不满意, by the re-handling rule (ratings.rehandle_due)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengxie.handling import kinds
from zhengxie.handling.models import Case, Evaluation
from zhengxie.handling.services.ratings import rehandle_due
from zhengxie.handling.services.supervision import latest_deadline

pytestmark = pytest.mark.django_db


def test_every_demo_deadline_is_one_the_rules_allow():
    limited = [k.name for k in kinds.KINDS.values() if k.max_extension_days]
    cases = Case.objects.filter(kind__in=limited).exclude(assigned_at=None).select_related("organisation")
    checked, wrong = 0, []
    for c in cases:
        kind = kinds.get(c.kind)
        latest = latest_deadline(kind, c.organisation, timezone.localdate(c.assigned_at))[0]
        allowed = latest
        if c.round > 1:  # re-handled: rehandle_days from the 不满意 rating that sent it back
            sent_back = (
                Evaluation.objects.filter(case=c, rating=Evaluation.Rating.UNSATISFIED)
                .order_by("-created_at")
                .first()
            )
            allowed = max(
                latest, rehandle_due(kind, c.organisation, timezone.localdate(sent_back.created_at))
            )
        checked += 1
        if c.deadline and c.deadline > allowed:
            wrong.append((c.label, c.status, timezone.localdate(c.assigned_at), c.deadline, allowed))
        for a in c.assignments.filter(is_active=True):
            if a.deadline > allowed:
                wrong.append((c.label, a.role, a.deadline, allowed))
    assert checked > 50
    assert wrong == []


def test_the_demo_still_has_every_light_on_the_board(client_for):
    board = client_for("staff").get("/api/v1/handling/board")
    totals = board.json()["totals"]
    assert totals["red"] and totals["yellow"] and totals["green"]
    assert totals["green"] > totals["red"]
