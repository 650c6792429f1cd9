"""The year's figures of 视察/调研 and the work report's sentence "开展视察e次、调研课题f个，形成调研报告g篇".

Rules (docs/domain.md):
- e (inspections): 视察 topics of the year that have started (status past 计划中) or have a held visit
  (a meeting of the topic closed with its attendance);
- f (research): 调研 topics of the year, whatever their state (the year's research programme);
- g (reports): topics of the year (either kind) with a submitted report;
- recommendations routed: sent to a unit on the handling spine; closed: those cases closed (办结);
- chair_collective: topics of the year marked 主席集体视察/调研.
Three queries."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from zhengxie.activities.models import Meeting

from .models import Recommendation, ResearchTopic, Visit
from .selectors import visible

S = ResearchTopic.Status
K = ResearchTopic.Kind


def sentence(f: dict) -> str:
    return f"开展视察{f['inspections']}次、调研课题{f['research']}个，形成调研报告{f['reports']}篇"


def year_stats(user, year=None, organisation=None) -> dict:
    year = int(year or timezone.localdate().year)
    # user None: the committee's own count (the yearbook), without a viewer's visibility.
    qs = (visible(user) if user is not None else ResearchTopic.objects.all()).filter(year=year)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    held = Exists(Visit.objects.filter(topic_id=OuterRef("pk"), meeting__status=Meeting.Status.CLOSED))
    row = qs.aggregate(
        inspections=Count("id", filter=Q(kind=K.INSPECTION) & (~Q(status=S.PLANNED) | Q(held))),
        inspection_topics=Count("id", filter=Q(kind=K.INSPECTION)),
        research=Count("id", filter=Q(kind=K.RESEARCH)),
        reports=Count("id", filter=Q(report__isnull=False)),
        chair_collective=Count("id", filter=Q(chair_collective=True)),
        planned=Count("id", filter=Q(status=S.PLANNED)),
        in_progress=Count("id", filter=Q(status=S.IN_PROGRESS)),
        reported=Count("id", filter=Q(status=S.REPORTED)),
        closed=Count("id", filter=Q(status=S.CLOSED)),
    )
    recs = Recommendation.objects.filter(topic__in=qs.values("pk")).aggregate(
        total=Count("id"),
        routed=Count("id", filter=Q(case__isnull=False)),
        closed=Count("id", filter=Q(case__isnull=False, status=Recommendation.Status.CLOSED)),
        opinions=Count("id", filter=Q(status=Recommendation.Status.OPINION)),
        proposals=Count("id", filter=Q(status=Recommendation.Status.PROPOSAL)),
    )
    out = {
        "year": year,
        **{k: v or 0 for k, v in row.items()},
        "recommendations": recs["total"] or 0,
        "recommendations_routed": recs["routed"] or 0,
        "recommendations_closed": recs["closed"] or 0,
        "recommendations_opinions": recs["opinions"] or 0,
        "recommendations_proposals": recs["proposals"] or 0,
    }
    out["sentence"] = sentence(out)
    return out


def chart(f: dict) -> dict:
    """An ECharts option: the year's topics by state (a bar each)."""
    labels = [("计划中", "planned", "#90a4ae"), ("进行中", "in_progress", "#1976d2")]
    labels += [("已形成报告", "reported", "#f9a825"), ("已办结", "closed", "#2e7d32")]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 16, "containLabel": True},
        # Every state named (ECharts hid every other one at a phone's width).
        "xAxis": {
            "type": "category",
            "data": [label for label, _, _ in labels],
            "axisLabel": {"interval": 0},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "name": "课题",
                "data": [{"value": f[key], "itemStyle": {"color": color}} for _, key, color in labels],
            }
        ],
    }
