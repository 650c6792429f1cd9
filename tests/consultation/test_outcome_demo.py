"""The demo's 协商成果 (demo/outcomes.py), as loaded into the test database."""

import pytest

from zhengxie.consultation.models import Consultation, Outcome, Recommendation
from zhengxie.handling import selectors as handling_selectors
from zhengxie.performance.models import DutyRecord

pytestmark = pytest.mark.django_db


def test_demo_outcomes(county, user):
    held = Consultation.objects.filter(organisation=county, status__in=["held", "outcome_sent"])
    if not Outcome.objects.filter(consultation__organisation=county).exists():
        assert not held.exists() or not Consultation.objects.filter(
            organisation=county, status="outcome_sent"
        )
        pytest.skip("the consultations demo made no held consultation")
    outcomes = list(Outcome.objects.filter(consultation__organisation=county).order_by("pk"))
    assert len(outcomes) == 2 and all(o.status == "sent" for o in outcomes)
    assert all(o.consultation.status == "outcome_sent" for o in outcomes)
    first, second = outcomes
    assert first.vote_valid is True and first.vote_result and not first.vote_open
    assert second.vote_open and second.votes.exists()
    assert first.instructions.count() == 1
    recs = Recommendation.objects.filter(outcome__in=outcomes)
    assert 3 <= recs.filter(outcome=first).count() <= 5
    assert recs.filter(status="closed").exists() and recs.filter(adoption="adopted").exists()
    mine = [a.case_id for a in handling_selectors.inbox(user("handler1"), kind="consultation_recommendation")]
    assert recs.filter(case_id__in=mine).exists()
    adopted = recs.filter(adoption="adopted").first()
    assert DutyRecord.objects.filter(act="consultation_adopted", source_id=adopted.pk, voided=False).exists()
    assert not Outcome.objects.filter(consultation__organisation__code="demo-county-2").exists()
