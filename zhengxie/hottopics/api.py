"""热点 in the JSON API (issue 17):

    GET  /hot-topics?organisation=&period=&from=&to=&kinds=   the latest stored run's hot topics
    GET  /hot-topics/{id}                                     one hot topic with its items (those you may see)
    POST /hot-topics/recompute  {organisation, period, from, to}   queue a run (staff); its progress
    GET  /hot-topics/runs/{id}                                a run's status and progress
    POST /hot-topics/{id}/topic  {title}                      作为协商选题 (consultation staff)

period: 90d (default), year, custom (from/to, yyyy-mm-dd; dates alone make it custom); kinds: any of
proposal, opinion, public_suggestion, hall_comment, comma-separated. Leaders and staff of the organisation
or a level above; anybody else 404. Bad dates or kinds 422; a hot topic already made a topic 409.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from zhengxie.core.errors import NotFound

from . import selectors, services
from .models import Run

router = Router(tags=["热点分析"])


class HotTopicRunOut(Schema):
    id: int
    organisation_id: int
    period: str
    date_from: datetime.date
    date_to: datetime.date
    status: str
    progress: int
    items: int
    counts: dict
    clusters: int
    seconds: float
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    error: str


class HotTopicTrendPoint(Schema):
    label: str
    n: int


class HotTopicOut(Schema):
    id: int
    rank: int
    label: str
    title: str
    keywords: list[str]
    size: int
    counts: dict
    trend: list[HotTopicTrendPoint]
    previous: int
    change: int
    support: int
    heat: float
    first_at: datetime.datetime | None
    last_at: datetime.datetime | None
    topic_id: int | None


class HotTopicOrganisation(Schema):
    id: int
    name: str


class HotTopicListOut(Schema):
    organisation: HotTopicOrganisation
    period: str
    date_from: datetime.date
    date_to: datetime.date
    kinds: list[str]
    run: HotTopicRunOut | None
    running: HotTopicRunOut | None
    topics: list[HotTopicOut]


class HotTopicItemOut(Schema):
    kind: str
    kind_label: str
    id: int
    title: str
    url: str
    label: str
    date: datetime.datetime
    centrality: float
    support: int


class HotTopicDetailOut(HotTopicOut):
    organisation: HotTopicOrganisation
    run: HotTopicRunOut
    items: list[HotTopicItemOut]


class HotTopicsQuery(Schema):
    organisation: int | None = None
    period: str | None = None
    date_from: str | None = Field(None, alias="from")
    to: str | None = None
    kinds: str | None = None


class HotTopicRecomputeIn(Schema):
    organisation: int | None = None
    period: str | None = None
    date_from: str | None = Field(None, alias="from")
    to: str | None = None


class HotTopicToTopicIn(Schema):
    title: str | None = None


class HotTopicToTopicOut(Schema):
    topic_id: int
    title: str
    url: str


def _org(o) -> dict:
    return {"id": o.pk, "name": o.name}


@router.get(
    "/hot-topics",
    response=HotTopicListOut,
    summary="热点：最近一次计算的热点（按热度），可按政协、时段和类型筛选",
    operation_id="zhengxie_hottopics_api_list",
)
def list_hot_topics(request, filters: Query[HotTopicsQuery]):
    b = selectors.board(
        request.user,
        organisation=filters.organisation,
        period=filters.period,
        date_from=filters.date_from,
        date_to=filters.to,
        kinds=filters.kinds,
    )
    return {
        "organisation": _org(b.organisation),
        "period": b.period,
        "date_from": b.date_from,
        "date_to": b.date_to,
        "kinds": b.kinds,
        "run": b.run,
        "running": b.busy,
        "topics": b.topics,
    }


@router.post(
    "/hot-topics/recompute",
    response=HotTopicRunOut,
    summary="重新计算热点（后台任务；返回计算的状态和进度）",
    operation_id="zhengxie_hottopics_api_recompute",
)
def recompute(request, payload: HotTopicRecomputeIn):
    org = services.organisation_for(request.user, payload.organisation)
    return services.request_recompute(
        user=request.user,
        organisation=org,
        period=payload.period,
        date_from=payload.date_from,
        date_to=payload.to,
    )


@router.get(
    "/hot-topics/runs/{int:pk}",
    response=HotTopicRunOut,
    summary="一次热点计算的状态和进度",
    operation_id="zhengxie_hottopics_api_run",
)
def run_status(request, pk: int):
    run = Run.objects.select_related("organisation").filter(pk=pk).first()
    if run is None or not services.may_view(request.user, run.organisation):
        raise NotFound("未找到该热点计算。")
    return run


@router.get(
    "/hot-topics/{int:pk}",
    response=HotTopicDetailOut,
    summary="一个热点及其事项（仅列出本人可查看的事项）",
    operation_id="zhengxie_hottopics_api_detail",
)
def detail(request, pk: int):
    ht = services.get_hot_topic(request.user, pk)
    out = HotTopicOut.from_orm(ht).dict()
    out.update(organisation=_org(ht.organisation), run=ht.run, items=services.item_rows(request.user, ht))
    return out


@router.post(
    "/hot-topics/{int:pk}/topic",
    response=HotTopicToTopicOut,
    summary="作为协商选题：以热点生成候选协商议题（引用其事项）",
    operation_id="zhengxie_hottopics_api_to_topic",
)
def to_topic(request, pk: int, payload: HotTopicToTopicIn):
    t = services.to_topic(user=request.user, hot_topic=pk, title=payload.title)
    return {"topic_id": t.pk, "title": t.title, "url": reverse("consultation:topic", args=[t.pk])}
