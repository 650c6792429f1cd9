"""Topics (选题), open calls and the year's plan (the issue's contract, extended):

POST /consultation-topics            {title, reason, source: party_gov|member|research|public, year?,
                                     suggested_form?, member_id?} → 201. Members: source=member only (their
                                     own); staff: party_gov, research, member (member_id names the member).
                                     source=public is refused with 422 (code public_only): citizens'
                                     topics come only through the public page /p/<code>/topics/.
GET  /consultation-topics?year=&status=&source=&group=&q=&page=   staff: their organisation's (and below);
                                     members: their own proposals.
GET  /consultation-topics/{id}
POST /consultation-topics/{id}/arrange  {group_label?, rank?}      归类/排序 (staff)
POST /consultation-topics/{id}/decide   {decision: chosen|not_chosen, note}  once, from candidate (409)
GET  /consultation-topic-calls, POST /consultation-topic-calls {title, description?, opens_on, closes_on,
                                     year?} → 201, POST /consultation-topic-calls/{id}/close
GET  /consultation-plans/{year}       the caller's committee's plan with its rows (404 before it exists)
POST /consultation-plans              {year, title?, note?, document_number?} → 201 (409 when it exists)
POST /consultation-plans/{year}/approve   draft → approved, or again after rows changed (else 409)
POST /consultation-plans/{year}/issue     approved and unchanged → issued (else 409); members are told
"""

import datetime
from typing import Literal

from ninja import Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.pagination import Rows

from .. import rules
from ..models import Plan, Topic, TopicCall
from ..services import topics as services
from . import router

Source = Literal["party_gov", "member", "research", "public"]
TopicStatus = Literal["candidate", "chosen", "not_chosen"]
PlanStatus = Literal["draft", "approved", "issued"]


class ConsultTopicIn(Schema):
    title: str
    reason: str = ""
    source: Source
    year: int | None = None
    suggested_form: str = ""
    member_id: int | None = None


class ConsultTopicRef(Schema):
    id: int
    name: str


class ConsultTopicOut(Schema):
    id: int
    title: str
    reason: str
    source: Source
    source_label: str
    year: int
    status: TopicStatus
    status_label: str
    organisation: ConsultTopicRef
    member: ConsultTopicRef | None = None
    call_id: int | None = None
    suggested_form: str
    group_label: str
    rank: int | None = None
    decision_note: str
    decided_at: datetime.datetime | None = None
    created_at: datetime.datetime


class ConsultTopicDetail(ConsultTopicOut):
    consultation_ids: list[int]
    actions: list[str]


class ConsultTopicArrangeIn(Schema):
    group_label: str | None = None
    rank: int | None = None


class ConsultTopicDecideIn(Schema):
    decision: Literal["chosen", "not_chosen"]
    note: str = ""


class ConsultTopicCallIn(Schema):
    title: str
    description: str = ""
    opens_on: datetime.date
    closes_on: datetime.date
    year: int | None = None


class ConsultTopicCallOut(Schema):
    id: int
    title: str
    description: str
    year: int
    opens_on: datetime.date
    closes_on: datetime.date
    open: bool
    public_url: str


class ConsultPlanIn(Schema):
    year: int
    title: str = ""
    note: str = ""
    document_number: str = ""


class ConsultPlanRow(Schema):
    id: int
    title: str
    form: str
    form_label: str
    planned_month: int
    status: str
    lead_committee: ConsultTopicRef | None = None
    leader: ConsultTopicRef | None = None
    topic_id: int | None = None


class ConsultPlanChange(Schema):
    kind: Literal["added", "removed", "changed"]
    id: int
    title: str


class ConsultPlanOut(Schema):
    id: int
    year: int
    title: str
    document_number: str
    note: str
    status: PlanStatus
    status_label: str
    approved_at: datetime.datetime | None = None
    issued_at: datetime.datetime | None = None
    rows: list[ConsultPlanRow]
    changes_since_approval: list[ConsultPlanChange]
    document_url: str


def _ref(obj, name="name"):
    return {"id": obj.pk, "name": getattr(obj, name)} if obj is not None else None


class _Rows(Rows):
    """core.pagination.Rows, with a page past the end empty (its reversed read would slice negatively)."""

    def __getitem__(self, item):
        if isinstance(item, slice) and item.start is not None and item.start >= self.count():
            return []
        return super().__getitem__(item)


def topic_row(t: Topic) -> dict:
    return {
        "id": t.pk,
        "title": t.title,
        "reason": t.reason,
        "source": t.source,
        "source_label": t.get_source_display(),
        "year": t.year,
        "status": t.status,
        "status_label": t.get_status_display(),
        "organisation": _ref(t.organisation),
        "member": _ref(t.member),
        "call_id": t.call_id,
        "suggested_form": t.suggested_form,
        "group_label": t.group_label,
        "rank": t.rank,
        "decision_note": t.decision_note,
        "decided_at": t.decided_at,
        "created_at": t.created_at,
    }


def topic_detail(user, t: Topic) -> dict:
    t = services.with_consultations([t])[0]
    actions = []
    if rules.is_consultation_staff(user, t.organisation):
        actions.append("arrange")
        if t.status == Topic.Status.CANDIDATE:
            actions.append("decide")
        if t.status == Topic.Status.CHOSEN:
            actions.append("plan")
    return {**topic_row(t), "consultation_ids": [c.pk for c in t.planned], "actions": actions}


@router.post("/consultation-topics", response={201: ConsultTopicDetail}, summary="提出候选协商议题")
def topics_create(request, payload: ConsultTopicIn):
    t = services.propose(
        user=request.user,
        title=payload.title,
        reason=payload.reason,
        source=payload.source,
        year=payload.year,
        suggested_form=payload.suggested_form,
        member=payload.member_id,
    )
    return 201, topic_detail(request.user, services.get_topic(request.user, t.pk))


@router.get(
    "/consultation-topics", response=list[ConsultTopicOut], summary="候选议题列表（按年度、状态、来源筛选）"
)
@paginate(PageNumberPagination, page_size=50)
def topics_list(
    request,
    year: int | None = None,
    status: TopicStatus | None = None,
    source: Source | None = None,
    group: str = "",
    q: str = "",
):
    if year is not None and not 2000 <= year <= 2100:
        raise Invalid("年度不正确。", field="year")
    qs = services.topics_for(request.user, year=year, status=status, source=source, group=group or None, q=q)
    return _Rows(qs, topic_row)


@router.get("/consultation-topics/{topic_id}", response=ConsultTopicDetail, summary="议题详情")
def topics_get(request, topic_id: int):
    return topic_detail(request.user, services.get_topic(request.user, topic_id))


@router.post(
    "/consultation-topics/{topic_id}/arrange",
    response=ConsultTopicDetail,
    summary="议题归类、排序（工作人员）",
)
def topics_arrange(request, topic_id: int, payload: ConsultTopicArrangeIn):
    data = payload.dict(exclude_unset=True)
    rank = data.get("rank", None)
    services.arrange(
        user=request.user,
        topic=topic_id,
        group_label=data.get("group_label"),
        rank="" if "rank" in data and rank is None else rank,
    )
    return topic_detail(request.user, services.get_topic(request.user, topic_id))


@router.post(
    "/consultation-topics/{topic_id}/decide",
    response=ConsultTopicDetail,
    summary="记录主席会议选题决定（选定/不选定；只能决定一次）",
)
def topics_decide(request, topic_id: int, payload: ConsultTopicDecideIn):
    services.decide(user=request.user, topic=topic_id, decision=payload.decision, note=payload.note)
    return topic_detail(request.user, services.get_topic(request.user, topic_id))


# --- open calls ----------------------------------------------------------------------------------------


def call_out(c: TopicCall) -> dict:
    from django.urls import reverse

    return {
        "id": c.pk,
        "title": c.title,
        "description": c.description,
        "year": c.year,
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "open": c.is_open(),
        "public_url": reverse("public_consultation:topics", args=[c.organisation.code]) + f"?call={c.pk}",
    }


@router.get("/consultation-topic-calls", response=list[ConsultTopicCallOut], summary="议题征集列表")
def calls_list(request):
    return [call_out(c) for c in services.calls_for(request.user).order_by("-opens_on", "-id")[:100]]


@router.post(
    "/consultation-topic-calls", response={201: ConsultTopicCallOut}, summary="发起议题征集（面向群众）"
)
def calls_create(request, payload: ConsultTopicCallIn):
    c = services.open_call(user=request.user, **payload.dict())
    return 201, call_out(c)


@router.post(
    "/consultation-topic-calls/{call_id}/close", response=ConsultTopicCallOut, summary="结束议题征集"
)
def calls_close(request, call_id: int):
    return call_out(services.close_call(user=request.user, call=call_id))


# --- the year's plan ----------------------------------------------------------------------------------


def plan_out(p: Plan) -> dict:
    from django.urls import reverse

    rows = services.plan_rows(p.organisation, p.year)
    return {
        "id": p.pk,
        "year": p.year,
        "title": p.title,
        "document_number": p.document_number,
        "note": p.note,
        "status": p.status,
        "status_label": p.get_status_display(),
        "approved_at": p.approved_at,
        "issued_at": p.issued_at,
        "rows": [
            {
                "id": c.pk,
                "title": c.title,
                "form": c.form,
                "form_label": c.get_form_display(),
                "planned_month": c.planned_month,
                "status": c.status,
                "lead_committee": _ref(c.lead_committee),
                "leader": _ref(c.leader),
                "topic_id": c.topic_id,
            }
            for c in rows
        ],
        "changes_since_approval": services.changes_since_approval(p, rows),
        "document_url": reverse("consultation:plan_document", args=[p.year]),
    }


def _plan_org(user):
    org = services.plan_organisation(user)
    if not services.may_read_plan(user, org):
        raise NotFound("未找到年度协商计划。")
    return org


def _plan(user, year) -> Plan:
    org = _plan_org(user)
    if not 2000 <= year <= 2100:
        raise NotFound(f"{year}年度协商计划不存在。")
    p = services.get_plan(org, year)
    if p is None:
        raise NotFound(f"{year}年度协商计划尚未建立。")
    return p


@router.get("/consultation-plans/{year}", response=ConsultPlanOut, summary="年度协商计划（本会）")
def plans_get(request, year: int):
    return plan_out(_plan(request.user, year))


@router.post("/consultation-plans", response={201: ConsultPlanOut}, summary="建立年度协商计划")
def plans_create(request, payload: ConsultPlanIn):
    org = _plan_org(request.user)
    p = services.create_plan(user=request.user, organisation=org, **payload.dict())
    return 201, plan_out(p)


@router.post("/consultation-plans/{year}/approve", response=ConsultPlanOut, summary="审定年度协商计划")
def plans_approve(request, year: int):
    org = _plan_org(request.user)
    return plan_out(services.approve_plan(user=request.user, organisation=org, year=year))


@router.post(
    "/consultation-plans/{year}/issue", response=ConsultPlanOut, summary="印发年度协商计划（通知全体委员）"
)
def plans_issue(request, year: int):
    org = _plan_org(request.user)
    return plan_out(services.issue_plan(user=request.user, organisation=org, year=year))
