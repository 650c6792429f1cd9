"""A unit's answer the citizen never rates closes after the evaluation period (the spine's daily job
handling.close_unrated, for every kind on the generic workflow): the case and the 微建议 read 已办结, the
timeline and the audit log say why; within the period nothing happens, and a rated case is left alone."""

import datetime

from django.utils import timezone

from zhengxie.core.models import AuditEntry
from zhengxie.handling.models import Case, Event
from zhengxie.handling.services import flow
from zhengxie.suggestions import services


def test_an_unrated_answer_closes_after_the_evaluation_period(routed, user):
    s = routed()
    flow.reply(user=user("handler1"), case=s.case_id, content="已安排维修。")
    today = timezone.localdate()
    flow.close_unrated(today)  # (the demo's older answers may close)
    assert Case.objects.get(pk=s.case_id).status == flow.REPLIED  # the citizen still has time

    later = today + datetime.timedelta(days=60)
    assert flow.close_unrated(later) >= 1
    case = Case.objects.get(pk=s.case_id)
    assert case.status == flow.CLOSED and case.closed_at is not None
    e = Event.objects.filter(case_id=case.pk).order_by("-id").first()
    assert e.action == "close" and "未评价" in e.label and e.actor_label == "系统"
    assert AuditEntry.objects.filter(
        action="handling.public_suggestion.close_unrated", target_id=str(case.pk)
    ).exists()
    s.refresh_from_db()
    assert s.status == "closed" and not s.rating
    # Run again: nothing more to do; the citizen can no longer rate.
    assert flow.close_unrated(later) == 0


def test_a_rated_case_is_not_touched(routed, user):
    s = routed()
    flow.reply(user=user("handler1"), case=s.case_id, content="已安排维修。")
    services.rate(code=s.tracking_code, rating="unsatisfied", comment="还没修好")
    case = Case.objects.get(pk=s.case_id)
    assert case.status == flow.REHANDLING
    flow.close_unrated(timezone.localdate() + datetime.timedelta(days=60))
    assert Case.objects.get(pk=s.case_id).status == flow.REHANDLING
