"""The demo world holds 青川县's 视察调研: topics of both kinds in every state, held visits with
attendance, findings with photos, two reports, recommendations in the units' inbox and a draft 社情民意."""

import pytest

from zhengxie.handling.models import Assignment
from zhengxie.research import stats
from zhengxie.research.models import Finding, Recommendation, ResearchTopic

pytestmark = pytest.mark.django_db


def test_demo_topics(county, user, today):
    qs = ResearchTopic.objects.filter(organisation=county, year=today.year)
    assert qs.filter(kind="research").count() == 4
    assert qs.filter(kind="inspection").count() == 2
    assert qs.filter(kind="inspection", chair_collective=True).count() == 1
    assert set(qs.values_list("status", flat=True)) == {"planned", "in_progress", "reported"}
    assert qs.filter(report__isnull=False).count() == 2
    assert set(qs.exclude(report_source="").values_list("report_source", flat=True)) == {
        "uploaded",
        "generated",
    }
    assert qs.filter(visits__meeting__status="closed").distinct().count() >= 3
    assert Finding.objects.filter(topic__in=qs, photo__isnull=False).count() >= 3
    recs = Recommendation.objects.filter(topic__in=qs)
    assert recs.filter(status="routed").count() == 3
    assert recs.filter(status="opinion", opinion__status="draft").count() == 1
    for name in ("handler1", "handler2"):
        unit = user(name).handling_unit_id
        assert Assignment.objects.filter(
            unit_id=unit, case__kind="research_recommendation", owes=True
        ).exists()
    f = stats.year_stats(user("leader"), today.year)
    assert f["research"] == 4 and f["inspections"] == 2 and f["reports"] == 2 and f["chair_collective"] == 1
    assert f["sentence"] == "开展视察2次、调研课题4个，形成调研报告2篇"
