"""微建议 JSON API under /api/v1 (stable contract of issue 10).

Public, no login (auth=None per operation), rate-limited per client address for submissions
(`public.rate_per_hour`, 429 with a Chinese `detail`):

    POST /public/suggestions                       {organisation_id, title, content, name?, phone?,
                                                    studio_id?, consent: true} → 201 {tracking_code, status}
    GET  /public/suggestions/{tracking_code}       {status, title, created_at, reply|null}; wrong code 404
    POST /public/suggestions/{tracking_code}/rate  {rating, comment?}
    GET  /public/suggestions?organisation_id=      published answers only {items, count}

Staff and units, with a token: GET /suggestions?status=&page=, GET /suggestions/{id},
POST /suggestions/{id}/moderate | route | reply | publish. Same rules as the pages: invisible → 404,
forbidden → 403, wrong state → 409, bad input → 422.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.context import client_ip
from zhengxie.core.errors import Invalid
from zhengxie.core.pagination import Rows

from . import rules, selectors, services
from .models import Suggestion

router = Router(tags=["微建议"])

Status = Literal["received", "rejected", "accepted", "routed", "replied", "closed"]
# What staff may also see (extension, issue 17): merged into another suggestion (合并办理).
StaffStatus = Literal["received", "rejected", "accepted", "routed", "replied", "closed", "merged"]
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]


# --- schemas ----------------------------------------------------------------------------------------------


class PublicIn(Schema):
    organisation_id: int
    title: str
    content: str
    name: str | None = None
    phone: str | None = None
    studio_id: int | None = None
    consent: bool = False
    # Extension: the citizen agrees to be called by the unit.
    consent_to_call: bool = False


class Created(Schema):
    tracking_code: str
    status: Status


class ReplyOut(Schema):
    content: str
    replied_at: datetime.datetime
    unit: str


class Tracked(Schema):
    status: Status
    title: str
    created_at: datetime.datetime
    reply: ReplyOut | None = None
    # Extension (issue 17): merged with another citizen's suggestion on the same matter (its number); the
    # status and reply above are then that suggestion's.
    merged_into: int | None = None


class RateIn(Schema):
    rating: Rating
    comment: str | None = None


class PublishedRow(Schema):
    id: int
    title: str
    content: str
    answer: str
    unit: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None = None


class Ref(Schema):
    id: int
    name: str


class Row(Schema):
    id: int
    title: str
    status: StaffStatus
    status_label: str
    organisation: Ref
    studio: Ref | None = None
    routed_to: Literal["", "unit", "studio"]
    reply_unit: str
    deadline: datetime.date | None = None
    created_at: datetime.datetime
    published: bool
    case_id: int | None = None


class EventOut(Schema):
    at: datetime.datetime
    actor: str
    action: str
    label: str
    detail: str = ""


class Detail(Row):
    content: str
    name: str
    phone: str
    consent_to_call: bool
    photos: list[str]
    reject_category: str
    reject_reason: str
    duplicate_of: int | None = None
    merged_into: int | None = None  # extension (issue 17): 合并办理 into this suggestion
    reply: ReplyOut | None = None
    rating: str
    rating_comment: str
    published_answer: str
    case_url: str | None = None
    timeline: list[EventOut]
    actions: list[str]


class ModerateIn(Schema):
    decision: Literal["accept", "reject"]
    reason: str | None = None
    # Extensions: why it is rejected (default out_of_scope), and the original of a duplicate.
    category: Literal["spam", "out_of_scope", "duplicate"] | None = None
    duplicate_of: int | None = None


class RouteIn(Schema):
    unit_id: int | None = None
    studio_id: int | None = None
    deadline: datetime.date | None = None
    # Extension: a note to the unit or the studio.
    note: str | None = None


class ReplyIn(Schema):
    content: str


class PublishIn(Schema):
    # Extensions: the answer text to show (default: the reply), and taking it off again.
    answer: str | None = None
    published: bool = True


# --- rows -------------------------------------------------------------------------------------------------


def _reply(s: Suggestion) -> dict | None:
    if not s.replied_at:
        return None
    return {"content": s.reply_content, "replied_at": s.replied_at, "unit": s.reply_by_label}


def tracked(s: Suggestion) -> dict:
    """What the citizen sees; a merged suggestion shows the status and answer of the one it follows."""
    shown = s.merged_into if s.merged_into_id else s
    return {
        "status": shown.status,
        "title": s.title,
        "created_at": s.created_at,
        "reply": _reply(shown),
        "merged_into": s.merged_into_id,
    }


def row(s: Suggestion) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "status": s.status,
        "status_label": s.get_status_display(),
        "organisation": {"id": s.organisation_id, "name": s.organisation.name},
        "studio": {"id": s.studio_id, "name": s.studio.name} if s.studio_id else None,
        "routed_to": s.routed_to,
        "reply_unit": s.reply_by_label,
        "deadline": s.deadline,
        "created_at": s.created_at,
        "published": s.published,
        "case_id": s.case_id,
    }


def detail(request, s: Suggestion) -> dict:
    from django.urls import reverse

    user = request.user
    return {
        **row(s),
        "content": s.content,
        "name": s.name,
        "phone": s.phone if rules.sees_phone(user, s) else s.masked_phone,
        "consent_to_call": s.consent_to_call,
        "photos": [reverse("suggestions:photo", args=[p.pk]) for p in s.photos.all()],
        "reject_category": s.reject_category,
        "reject_reason": s.reject_reason,
        "duplicate_of": s.duplicate_of_id,
        "merged_into": s.merged_into_id,
        "reply": _reply(s),
        "rating": s.rating,
        "rating_comment": s.rating_comment,
        "published_answer": s.published_answer,
        "case_url": reverse("handling:case", args=[s.case_id]) if s.case_id else None,
        "timeline": [
            {"at": e.at, "actor": e.actor_label, "action": e.action, "label": e.label, "detail": e.detail}
            for e in s.events.all()
        ],
        "actions": selectors.allowed_actions(user, s),
    }


def _full(request, pk) -> dict:
    return detail(request, selectors.get(request.user, pk))


# --- public -----------------------------------------------------------------------------------------------


@router.post(
    "/public/suggestions",
    response={201: Created, 429: dict},
    auth=None,
    summary="群众提交微建议（无需登录；每个网络地址每小时限提交 public.rate_per_hour 条）",
)
def public_submit(request, payload: PublicIn):
    s = services.submit(
        organisation=payload.organisation_id,
        title=payload.title,
        content=payload.content,
        name=payload.name or "",
        phone=payload.phone or "",
        consent=payload.consent,
        consent_to_call=payload.consent_to_call,
        studio=payload.studio_id,
        ip=client_ip(request),
    )
    return 201, {"tracking_code": s.tracking_code, "status": s.status}


@router.get(
    "/public/suggestions",
    response=list[PublishedRow],
    auth=None,
    summary="已公开答复的微建议（无需登录；不含任何个人信息）",
)
@paginate(PageNumberPagination, page_size=20)
def public_list(request, organisation_id: int):
    org = services.public_organisation(organisation_id)
    return Rows(
        selectors.published(org.pk),
        lambda s: {
            "id": s.pk,
            "title": s.title,
            "content": s.content,
            "answer": s.published_answer,
            "unit": s.reply_by_label,
            "created_at": s.created_at,
            "published_at": s.published_at,
        },
    )


@router.get(
    "/public/suggestions/{tracking_code}",
    response={200: Tracked, 429: dict},
    auth=None,
    summary="凭查询码查看微建议的状态与答复（查询码错误：404）",
)
def public_track(request, tracking_code: str):
    return tracked(services.by_code(tracking_code, client_ip(request)))


@router.post(
    "/public/suggestions/{tracking_code}/rate",
    response=Tracked,
    auth=None,
    summary="凭查询码评价答复（满意 satisfied、基本满意 basically_satisfied、不满意 unsatisfied）",
)
def public_rate(request, tracking_code: str, payload: RateIn):
    return tracked(
        services.rate(
            code=tracking_code, rating=payload.rating, comment=payload.comment or "", ip=client_ip(request)
        )
    )


# --- staff and units --------------------------------------------------------------------------------------


def _statuses(value: str) -> list[str] | None:
    values = [v.strip() for v in (value or "").split(",") if v.strip()]
    bad = [v for v in values if v not in Suggestion.Status.values]
    if bad:
        raise Invalid(
            "状态取值不正确："
            + "、".join(bad)
            + "（可选 received、rejected、accepted、routed、replied、closed、merged）。",
            field="status",
        )
    return values or None


@router.get(
    "/suggestions",
    response=list[Row],
    summary="微建议列表（本级及下级；分页；status 可用逗号分隔多个；studio=true 本人所在工作室的）",
)
@paginate(PageNumberPagination, page_size=20)
def list_suggestions(request, status: str = "", q: str = "", studio: bool = False):
    statuses = _statuses(status)
    if studio:
        qs = selectors.studio_list(request.user, status=statuses[0] if statuses else None)
    else:
        qs = selectors.staff_list(request.user, status=statuses, q=q)
    return Rows(qs, row, kept="suggestions")  # the count kept per data version and scope (core.datacache)


@router.get("/suggestions/{int:pk}", response=Detail, summary="微建议详情")
def get_suggestion(request, pk: int):
    return _full(request, pk)


@router.post("/suggestions/{int:pk}/moderate", response=Detail, summary="审核：受理或不予受理（附理由）")
def moderate(request, pk: int, payload: ModerateIn):
    services.moderate(
        user=request.user,
        suggestion=pk,
        decision=payload.decision,
        reason=payload.reason or "",
        category=payload.category or "",
        duplicate_of=payload.duplicate_of,
    )
    return _full(request, pk)


@router.post(
    "/suggestions/{int:pk}/route",
    response=Detail,
    summary="交办：承办单位（unit_id，进入单位承办工作台）或委员工作室（studio_id）",
)
def route(request, pk: int, payload: RouteIn):
    services.route(
        user=request.user,
        suggestion=pk,
        unit=payload.unit_id,
        studio=payload.studio_id,
        deadline=payload.deadline,
        note=payload.note or "",
    )
    return _full(request, pk)


@router.post(
    "/suggestions/{int:pk}/reply",
    response=Detail,
    summary="答复（交工作室的由工作室委员答复；交承办单位的由承办单位答复）",
)
def reply(request, pk: int, payload: ReplyIn):
    services.reply(user=request.user, suggestion=pk, content=payload.content)
    return _full(request, pk)


@router.post("/suggestions/{int:pk}/publish", response=Detail, summary="在公开页面公开答复（不含个人信息）")
def publish(request, pk: int, payload: PublishIn | None = None):
    payload = payload or PublishIn()
    services.publish(
        user=request.user, suggestion=pk, answer=payload.answer or "", published=payload.published
    )
    return _full(request, pk)


# --- 疑似重复 (near-duplicates waiting for the 办公室) and 合并办理 ----------------------------------------------

from django.http import Http404  # noqa: E402

from zhengxie.search.schemas import DuplicateGroupsOut  # noqa: E402

from .duplicates import duplicate_groups  # noqa: E402


class MergeIn(Schema):
    into: int
    reason: str | None = None


@router.get(
    "/suggestions/duplicate-groups",
    response=DuplicateGroupsOut,
    summary="待审核/待交办微建议中的疑似重复分组（办公室；组内建议、相似度、建议的主建议）",
)
def suggestion_duplicate_groups(request):
    if not rules.is_public_office(request.user):
        raise Http404
    return duplicate_groups(request.user)


@router.post(
    "/suggestions/{int:pk}/merge",
    response=Detail,
    summary="合并办理：并入另一条微建议（into），建议人凭查询码看到其进展和答复；已交办的不能合并（409）",
)
def merge(request, pk: int, payload: MergeIn):
    services.merge(user=request.user, suggestion=pk, into=payload.into, reason=payload.reason or "")
    return _full(request, pk)
