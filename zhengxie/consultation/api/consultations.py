"""Consultations (the issue's contract):

POST  /consultations        {title, form, topic_id?, year, opens_at?, closes_at?, public} → 201
                            (extensions: planned_month, lead_committee_id, leader_id, department_ids,
                            background, research_note, studio_id, organisation_id for a 乡镇联络组)
GET   /consultations?year=&form=&status=&q=&page=
GET   /consultations/{id}
PATCH /consultations/{id}   any of the fields above, plus held_on, minutes, and `status` (the one step
                            that leads there: planned → open → held → closed; else 409)
GET   /consultations/stats?year=  the year's figures and the work report's sentence
POST  /consultations/{id}/segments  {kind: briefing|question|answer|speech, member_id?, speaker_label?,
                            title?, content?, written?} → 201 (a member's speech earns duty points)
"""

import datetime
from typing import Literal

from ninja import Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.models import Organisation
from zhengxie.core.pagination import Rows

from .. import rules, selectors, stats
from ..models import Consultation, Segment
from ..services import consultations as services
from . import router

Form = Literal[
    "plenary",
    "standing_topic",
    "bimonthly",
    "counterpart",
    "sector",
    "proposal_handling",
    "online",
    "grassroots",
]
Status = Literal["planned", "open", "held", "outcome_sent", "closed"]


class ConsultationIn(Schema):
    title: str
    form: Form
    topic_id: int | None = None
    year: int
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    public: bool = False
    planned_month: int | None = None
    lead_committee_id: int | None = None
    leader_id: int | None = None
    department_ids: list[int] = []
    research_topic_ids: list[int] = []
    background: str = ""
    research_note: str = ""
    studio_id: int | None = None
    organisation_id: int | None = None


class ConsultationPatch(Schema):
    title: str | None = None
    form: Form | None = None
    topic_id: int | None = None
    year: int | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    public: bool | None = None
    planned_month: int | None = None
    lead_committee_id: int | None = None
    leader_id: int | None = None
    department_ids: list[int] | None = None
    research_topic_ids: list[int] | None = None
    background: str | None = None
    research_note: str | None = None
    studio_id: int | None = None
    held_on: datetime.date | None = None
    minutes: str | None = None
    status: Status | None = None


class ConsultationRef(Schema):
    id: int
    name: str


class ConsultationRow(Schema):
    id: int
    title: str
    form: Form
    form_label: str
    year: int
    planned_month: int | None = None
    status: Status
    status_label: str
    organisation: ConsultationRef
    topic_id: int | None = None
    lead_committee: ConsultationRef | None = None
    leader: ConsultationRef | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    public: bool
    comment_count: int
    participant_count: int
    held_on: datetime.date | None = None


class SegmentOut(Schema):
    id: int
    order: int
    kind: Literal["briefing", "question", "answer", "speech"]
    member_id: int | None = None
    speaker_label: str
    title: str
    content: str
    written: bool
    attachment_id: int | None = None


class ConsultationDetail(ConsultationRow):
    background: str
    research_note: str
    minutes: str
    meeting_id: int | None = None
    studio_id: int | None = None
    departments: list[ConsultationRef]
    research_topics: list[ConsultationRef] = []
    segments: list[SegmentOut]
    hall_open: bool
    actions: list[str]


class SegmentIn(Schema):
    kind: Literal["briefing", "question", "answer", "speech"]
    member_id: int | None = None
    speaker_label: str = ""
    title: str = ""
    content: str = ""
    written: bool = False


class ConsultationFormFigure(Schema):
    form: Form
    label: str
    done: int
    planned: int


class ConsultationStatsOut(Schema):
    year: int
    organisation: ConsultationRef
    by_form: list[ConsultationFormFigure]
    done: int
    planned: int
    months: list[int]
    outcomes: int
    recommendations: int
    adopted: int
    partly: int
    instructions: int
    sentence: str


def _ref(obj, name="name"):
    return {"id": obj.pk, "name": getattr(obj, name)} if obj is not None else None


def row(c: Consultation) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "form": c.form,
        "form_label": c.get_form_display(),
        "year": c.year,
        "planned_month": c.planned_month,
        "status": c.status,
        "status_label": c.get_status_display(),
        "organisation": _ref(c.organisation),
        "topic_id": c.topic_id,
        "lead_committee": _ref(c.lead_committee),
        "leader": _ref(c.leader),
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "public": c.public,
        "comment_count": c.comment_count,
        "participant_count": c.participant_count,
        "held_on": c.held_on,
    }


def segment(s: Segment) -> dict:
    return {
        "id": s.pk,
        "order": s.order,
        "kind": s.kind,
        "member_id": s.member_id,
        "speaker_label": s.speaker_label,
        "title": s.title,
        "content": s.content,
        "written": s.written,
        "attachment_id": s.attachment_id,
    }


def detail(user, c: Consultation) -> dict:
    return {
        **row(c),
        "background": c.background,
        "research_note": c.research_note,
        "minutes": c.minutes,
        "meeting_id": c.meeting_id,
        "studio_id": c.studio_id,
        "departments": [_ref(u) for u in c.departments.all()],
        "research_topics": [_ref(t, "title") for t in c.research_topics.all()],
        "segments": [segment(s) for s in c.segments.all()],
        "hall_open": c.hall_open(),
        "actions": services.allowed_steps(user, c),
    }


def _fields(payload: Schema, *, exclude_unset: bool) -> dict:
    data = payload.dict(exclude_unset=exclude_unset)
    renames = {
        "topic_id": "topic",
        "lead_committee_id": "lead_committee",
        "leader_id": "leader",
        "studio_id": "studio",
    }
    return {renames.get(k, k): v for k, v in data.items()}


@router.post("/consultations", response={201: ConsultationDetail}, summary="新建协商活动")
def consultation_create(request, payload: ConsultationIn):
    data = _fields(payload, exclude_unset=False)
    org_id = data.pop("organisation_id")
    organisation = None
    if org_id is not None:
        organisation = Organisation.objects.filter(pk=org_id).first()
        if (
            organisation is None
            or not rules.is_reader(request.user, organisation)
            and not rules.is_consultation_staff(request.user, organisation)
        ):
            raise NotFound("未找到该政协组织。")
    departments, research = data.pop("department_ids"), data.pop("research_topic_ids")
    c = services.create(
        user=request.user,
        organisation=organisation,
        departments=departments,
        research_topics=research,
        **data,
    )
    return 201, detail(request.user, selectors.get_consultation(request.user, c.pk))


@router.get(
    "/consultations", response=list[ConsultationRow], summary="协商活动列表（按年度、形式、状态筛选）"
)
@paginate(PageNumberPagination, page_size=20)
def consultation_list(
    request, year: int | None = None, form: Form | None = None, status: Status | None = None, q: str = ""
):
    if year is not None and not 2000 <= year <= 2100:
        raise Invalid("年度不正确。", field="year")
    return Rows(selectors.consultations_for(request.user, year=year, form=form, status=status, q=q), row)


@router.get(
    "/consultations/stats",
    response=ConsultationStatsOut,
    summary="协商议事年度统计（各形式次数、成果、建议与采纳）",
)
def consultation_stats(request, year: int | None = None):
    user = request.user
    if not (rules.is_reader(user, user.organisation) or rules.is_consultation_staff(user, user.organisation)):
        raise NotFound("未找到该统计。")
    s = stats.year_stats(user, year)
    return {
        **{k: s[k] for k in ConsultationStatsOut.model_fields if k != "organisation"},
        "organisation": _ref(s["organisation"]),
    }


@router.get("/consultations/{consultation_id}", response=ConsultationDetail, summary="协商活动详情")
def consultation_get(request, consultation_id: int):
    return detail(request.user, selectors.get_consultation(request.user, consultation_id))


@router.patch(
    "/consultations/{consultation_id}",
    response=ConsultationDetail,
    summary="修改协商活动（含状态：只允许下一步）",
)
def consultation_patch(request, consultation_id: int, payload: ConsultationPatch):
    user = request.user
    c = selectors.get_consultation(user, consultation_id)
    data = _fields(payload, exclude_unset=True)
    status = data.pop("status", None)
    departments, research = data.pop("department_ids", None), data.pop("research_topic_ids", None)
    if data or departments is not None or research is not None:
        c = services.update(
            user=user, consultation=c, departments=departments, research_topics=research, **data
        )
    if status is not None:
        services.status_to(user=user, consultation=c, status=status)
    return detail(user, selectors.get_consultation(user, consultation_id))


@router.post(
    "/consultations/{consultation_id}/segments",
    response={201: SegmentOut},
    summary="记录协商环节（通报、提问、解答、发言；委员发言计入履职）",
)
def consultation_segment(request, consultation_id: int, payload: SegmentIn):
    c = selectors.get_consultation(request.user, consultation_id)
    s: Segment = services.add_segment(
        user=request.user,
        consultation=c,
        kind=payload.kind,
        member=payload.member_id,
        speaker_label=payload.speaker_label,
        title=payload.title,
        content=payload.content,
        written=payload.written,
    )
    return 201, segment(s)
