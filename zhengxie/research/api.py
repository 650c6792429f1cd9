"""视察调研 JSON API under /api/v1 (stable contract of issue 12):

    GET  /research-topics?year=&kind=&status=&q=&mine=&page=   the list (paged)
    POST /research-topics   {title, kind: research|inspection, year, leader, member_ids} → 201
    GET  /research-topics/{id}
    POST /research-topics/{id}/report   multipart, field `file` (+ writer_ids, recommendations) → 201

Extensions: background, committee, starts_on, ends_on, sites, chair_collective, writer_ids on POST;
PATCH /research-topics/{id}; POST /research-topics/{id}/status {status} (planned → in_progress,
reported → closed; anything else 409); POST /research-topics/{id}/visits {starts_at, ends_at, site} → 201
(an activities meeting); POST /research-topics/{id}/findings (multipart: content, photo) → 201;
POST /research-topics/{id}/report/generate {writer_ids, recommendations, summary} → 201;
POST /research-topics/{id}/recommendations {content} → 201; POST /research-recommendations/{id}/route
{unit_id, deadline} or {as: opinion|proposal, member_id}; GET /research-topics/stats?year=.
`leader` is the leading user's id; `member_ids` and `writer_ids` are ids of members (委员, /members).
Invisible → 404, forbidden → 403, bad input → 422, an illegal step → 409.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import NotFound
from zhengxie.core.pagination import Rows

from . import rules, selectors, services, stats
from .models import ResearchTopic

router = Router(tags=["视察调研"])

KindName = Literal["research", "inspection"]
StatusName = Literal["planned", "in_progress", "reported", "closed"]
RecStatus = Literal["draft", "routed", "replied", "closed", "opinion", "proposal"]


class ResearchTopicIn(Schema):
    title: str
    kind: KindName
    year: int
    leader: int
    member_ids: list[int] = []
    # Extensions.
    background: str | None = None
    committee: int | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    sites: list[str] = []
    chair_collective: bool = False
    writer_ids: list[int] = []


class ResearchTopicPatch(Schema):
    title: str | None = None
    background: str | None = None
    leader: int | None = None
    committee: int | None = None
    member_ids: list[int] | None = None
    writer_ids: list[int] | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    sites: list[str] | None = None
    chair_collective: bool | None = None


class ResearchStatusIn(Schema):
    status: StatusName


class ResearchVisitIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    site: str = ""


class ResearchFindingForm(Schema):
    content: str = ""


class ResearchReportForm(Schema):
    # Comma-separated member ids; recommendations one per line.
    writer_ids: str = ""
    recommendations: str = ""


class ResearchReportGenerateIn(Schema):
    writer_ids: list[int] = []
    recommendations: list[str] = []
    summary: str = ""


class ResearchRecommendationIn(Schema):
    content: str


class ResearchRouteIn(Schema):
    unit_id: int | None = None
    deadline: datetime.date | None = None
    as_: Literal["opinion", "proposal"] | None = Field(None, alias="as")
    member_id: int | None = None


class ResearchPerson(Schema):
    id: int
    name: str


class ResearchVisitOut(Schema):
    id: int
    meeting_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    site: str
    meeting_status: str
    invited: int
    present: int
    on_leave: int
    absent: int


class ResearchFindingOut(Schema):
    id: int
    content: str
    photo: str | None = None
    author: ResearchPerson
    at: datetime.datetime


class ResearchRecommendationOut(Schema):
    id: int
    topic_id: int
    number: int
    content: str
    status: RecStatus
    unit_id: int | None = None
    unit_name: str = ""
    case_id: int | None = None
    opinion_id: int | None = None
    proposal_id: int | None = None
    routed_at: datetime.datetime | None = None


class ResearchTopicRow(Schema):
    id: int
    organisation_id: int
    year: int
    kind: KindName
    title: str
    leader: int
    leader_name: str
    committee: int | None = None
    unit_label: str
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    sites: list[str]
    chair_collective: bool
    status: StatusName
    has_report: bool
    overdue: bool


class ResearchTopicDetail(ResearchTopicRow):
    background: str
    member_ids: list[int]
    members: list[ResearchPerson]
    writer_ids: list[int]
    report: str | None = None
    report_source: str
    reported_at: datetime.datetime | None = None
    visits: list[ResearchVisitOut]
    findings: list[ResearchFindingOut]
    recommendations: list[ResearchRecommendationOut]
    actions: list[str]


class ResearchStats(Schema):
    year: int
    inspections: int
    inspection_topics: int
    research: int
    reports: int
    chair_collective: int
    planned: int
    in_progress: int
    reported: int
    closed: int
    recommendations: int
    recommendations_routed: int
    recommendations_closed: int
    recommendations_opinions: int
    recommendations_proposals: int
    sentence: str


def _att(pk) -> str | None:
    return reverse("core:attachment", args=[pk]) if pk else None


def row(t: ResearchTopic) -> dict:
    return {
        "id": t.pk,
        "organisation_id": t.organisation_id,
        "year": t.year,
        "kind": t.kind,
        "title": t.title,
        "leader": t.leader_id,
        "leader_name": t.leader.name,
        "committee": t.committee_id,
        "unit_label": t.unit_label,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "sites": list(t.sites or []),
        "chair_collective": t.chair_collective,
        "status": t.status,
        "has_report": t.report_id is not None,
        "overdue": t.overdue(),
    }


def rec_out(r) -> dict:
    return {
        "id": r.pk,
        "topic_id": r.topic_id,
        "number": r.number,
        "content": r.content,
        "status": r.status,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name if r.unit_id else "",
        "case_id": r.case_id,
        "opinion_id": r.opinion_id,
        "proposal_id": r.proposal_id,
        "routed_at": r.routed_at,
    }


def actions(user, t: ResearchTopic) -> list[str]:
    S = ResearchTopic.Status
    out = []
    manage = rules.can_manage(user, t)
    contribute = rules.can_contribute(user, t)
    if manage and t.status == S.PLANNED:
        out.append("start")
    if manage and t.status in (S.PLANNED, S.IN_PROGRESS):
        out.append("visit")
    if contribute and t.status == S.IN_PROGRESS:
        out += ["finding", "report"]
    if manage and t.status in (S.IN_PROGRESS, S.REPORTED):
        out.append("recommendation")
    if manage and t.status == S.REPORTED:
        out += ["route", "close"]
    if manage and t.status != S.CLOSED:
        out.append("edit")
    return out


def detail(user, t: ResearchTopic) -> dict:
    members = list(t.members.all())
    return {
        **row(t),
        "background": t.background,
        "member_ids": [m.pk for m in members],
        "members": [{"id": m.pk, "name": m.name} for m in members],
        "writer_ids": [m.pk for m in t.writers.all()],
        "report": _att(t.report_id),
        "report_source": t.report_source,
        "reported_at": t.reported_at,
        "visits": [
            {
                "id": v.pk,
                "meeting_id": v.meeting_id,
                "starts_at": v.meeting.starts_at,
                "ends_at": v.meeting.ends_at,
                "site": v.site,
                "meeting_status": v.meeting.status,
                "invited": v.invited,
                "present": v.present,
                "on_leave": v.on_leave,
                "absent": v.absent,
            }
            for v in selectors.visits(t)
        ],
        "findings": [
            {
                "id": f.pk,
                "content": f.content,
                "photo": _att(f.photo_id),
                "author": {"id": f.author_id, "name": f.author.name},
                "at": f.at,
            }
            for f in t.findings.all()
        ],
        "recommendations": [rec_out(r) for r in t.recommendations.all()],
        "actions": actions(user, t),
    }


def _full(request, pk) -> dict:
    return detail(request.user, selectors.get(request.user, pk, full=True))


def _csv_ids(value: str) -> list[str]:
    return [x.strip() for x in (value or "").split(",") if x.strip()]


@router.get(
    "/research-topics",
    response=list[ResearchTopicRow],
    summary="视察调研课题列表（本级及下级；委员和带队领导为本人参加的课题；分页）",
)
@paginate(PageNumberPagination, page_size=30)
def list_research_topics(
    request, year: int | None = None, kind: str = "", status: str = "", q: str = "", mine: bool = False
):
    if year is not None:
        year = services.check_year(year)
    return Rows(selectors.topic_list(request.user, year=year, kind=kind, status=status, q=q, mine=mine), row)


@router.post(
    "/research-topics",
    response={201: ResearchTopicDetail},
    summary="新建视察调研课题（本级政协办公室或专委会办公室）",
)
def create_research_topic(request, payload: ResearchTopicIn):
    t = services.create(
        request.user,
        title=payload.title,
        kind=payload.kind,
        year=payload.year,
        leader=payload.leader,
        member_ids=payload.member_ids,
        background=payload.background or "",
        committee=payload.committee,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        sites=payload.sites,
        chair_collective=payload.chair_collective,
        writer_ids=payload.writer_ids,
    )
    return 201, _full(request, t.pk)


@router.get(
    "/research-topics/stats",
    response=ResearchStats,
    summary="视察调研年度数据：视察次数、调研课题、调研报告、建议交办与办结",
)
def research_stats(request, year: int | None = None):
    if not rules.may_list(request.user):
        raise NotFound("未找到。")
    return stats.year_stats(request.user, services.check_year(year) if year is not None else None)


@router.get(
    "/research-topics/{int:topic_id}",
    response=ResearchTopicDetail,
    summary="视察调研课题详情（活动及出勤、发现的问题、报告、建议去向）",
)
def get_research_topic(request, topic_id: int):
    return _full(request, topic_id)


@router.patch(
    "/research-topics/{int:topic_id}",
    response=ResearchTopicDetail,
    summary="修改视察调研课题（本级政协办公室或专委会办公室）",
)
def update_research_topic(request, topic_id: int, payload: ResearchTopicPatch):
    given = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    for key in ("title", "leader", "member_ids", "writer_ids", "sites", "chair_collective"):
        if key in given and given[key] is None:
            given.pop(key)
    services.update(request.user, topic_id, **given)
    return _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/status",
    response=ResearchTopicDetail,
    summary="变更课题状态：计划中→进行中，已形成报告→已办结（其他变更 409）",
)
def research_topic_status(request, topic_id: int, payload: ResearchStatusIn):
    services.set_status(request.user, topic_id, payload.status)
    return _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/visits",
    response={201: ResearchTopicDetail},
    summary="安排一次视察/调研活动（会议活动：通知参加委员、请假、签到）",
)
def research_topic_visit(request, topic_id: int, payload: ResearchVisitIn):
    services.add_visit(
        request.user, topic_id, starts_at=payload.starts_at, ends_at=payload.ends_at, site=payload.site
    )
    return 201, _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/findings",
    response={201: ResearchTopicDetail},
    summary="记录发现的问题和现场照片（multipart/form-data；照片去除位置等元数据）",
)
def research_topic_finding(
    request, topic_id: int, payload: Form[ResearchFindingForm], photo: File[UploadedFile] = None
):
    services.add_finding(request.user, topic_id, content=payload.content, photo=photo)
    return 201, _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/report",
    response={201: ResearchTopicDetail},
    summary="上传视察/调研报告（multipart/form-data，字段 file：Word 或 PDF；可附执笔人和建议）",
)
def research_topic_report(
    request, topic_id: int, file: File[UploadedFile], payload: Form[ResearchReportForm]
):
    services.submit_report(
        request.user,
        topic_id,
        file=file,
        writer_ids=_csv_ids(payload.writer_ids),
        recommendations=payload.recommendations,
    )
    return 201, _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/report/generate",
    response={201: ResearchTopicDetail},
    summary="由课题生成 Word 报告并提交（背景、活动、发现、建议、参加委员）",
)
def research_topic_report_generate(request, topic_id: int, payload: ResearchReportGenerateIn):
    services.submit_report(
        request.user,
        topic_id,
        generate=True,
        writer_ids=payload.writer_ids,
        recommendations=payload.recommendations,
        summary=payload.summary,
    )
    return 201, _full(request, topic_id)


@router.post(
    "/research-topics/{int:topic_id}/recommendations",
    response={201: ResearchRecommendationOut},
    summary="添加一条意见建议（本级政协办公室或专委会办公室）",
)
def research_topic_recommendation(request, topic_id: int, payload: ResearchRecommendationIn):
    r = services.add_recommendation(request.user, topic_id, content=payload.content)
    return 201, rec_out(r)


@router.post(
    "/research-recommendations/{int:recommendation_id}/route",
    response=ResearchRecommendationOut,
    summary="转送建议：交办承办单位（unit_id），或转为社情民意信息 / 提案草稿（as）",
)
def route_research_recommendation(request, recommendation_id: int, payload: ResearchRouteIn):
    r = services.route(
        request.user,
        recommendation_id,
        unit=payload.unit_id,
        deadline=payload.deadline,
        as_=payload.as_,
        member=payload.member_id,
    )
    r = type(r).objects.select_related("unit").get(pk=r.pk)
    return rec_out(r)
