"""委员工作室, 线上值班 and 为民服务超市 JSON API under /api/v1 (stable contract of issue 10).

Public, no login (auth=None per operation), never any personal data (a member's name and sector are public;
no phone, no booking of anyone else):

    GET  /studios?organisation_id=            active studios {items, count}
    GET  /studios/{id}                        one active studio, with who is on 线上值班 today
    GET  /services?organisation_id=&category=&studio_id=   active services {items, count}
    POST /public/bookings                     {service_id, name, phone, preferred_time?, note?, consent: true,
                                              sms?: the member's answer by SMS to this number}
                                              → 201 {booking_code, status}; rate-limited per address
                                              (`public.rate_per_hour`, 429 with a Chinese `detail`)
    GET  /public/bookings/{booking_code}      the citizen's booking (wrong code: 404)
    POST /public/bookings/{booking_code}/cancel

Members and staff, with a token: GET /bookings?status=&page= (a member's own; staff: their organisations'),
GET /bookings/{id}, POST /bookings/{id}/accept {answer?} | decline {reason} | record {served_on, summary,
people_served}; GET /duties?start=&end= (the member's own), POST /duties/{id}/done; GET /studios/figures?year=
(staff: the year's figures and the report sentence). `status` of a booking is one of: pending, accepted,
declined, done, cancelled.

换班 (duty swaps): GET /studios/{id}/swaps?status=&page= (readers of the studio: all; its members: their
own), POST /studio-duties/{id}/swap {with_member, reason?} → 201, POST /duty-swaps/{id}/accept |
decline {reason?} (the member asked), POST /duty-swaps/{id}/decide {decision: approve|refuse, reason?}
(the 办公室, where the studio's rule requires approval), POST /duty-swaps/{id}/cancel (the asker). A swap's
`status` is one of: asked, agreed (waiting for the 办公室), done, declined, refused, cancelled.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.context import client_ip
from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.pagination import Rows

from . import figures, selectors, services
from . import rules as r
from .models import Booking, DutySlot, DutySwap, ServiceOffer, ServiceRecord

router = Router(tags=["委员工作室"])

BookingStatus = Literal["pending", "accepted", "declined", "done", "cancelled"]


# --- schemas ---------------------------------------------------------------------------------------------


class StudioMemberOut(Schema):
    id: int
    name: str
    sector: str


class StudioOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    name: str
    place: str
    opening_hours: str
    contact_rules: str
    members: list[StudioMemberOut]


class StudioDetail(StudioOut):
    on_duty_today: list[StudioMemberOut]
    services: list[dict]
    public_url: str


class StudioServiceOut(Schema):
    id: int
    organisation_id: int
    title: str
    category: str
    category_label: str
    mode: str
    mode_label: str
    description: str
    available_times: str
    member: StudioMemberOut
    studio_id: int | None
    studio: str | None


class BookingIn(Schema):
    service_id: int
    name: str
    phone: str
    preferred_time: str | None = None
    note: str | None = None
    consent: bool = False
    sms: bool = False  # tell me the member's answer by SMS on this number


class BookingCreated(Schema):
    booking_code: str
    status: BookingStatus


class BookingPublic(Schema):
    booking_code: str
    status: BookingStatus
    service: dict
    preferred_time: str
    answer: str
    created_at: datetime.datetime


class BookingRow(Schema):
    id: int
    status: BookingStatus
    service_id: int
    service: str
    member_id: int
    member: str
    name: str
    phone: str
    preferred_time: str
    note: str
    answer: str
    created_at: datetime.datetime
    record: dict | None


class BookingAnswerIn(Schema):
    answer: str | None = None


class BookingDeclineIn(Schema):
    reason: str


class BookingRecordIn(Schema):
    served_on: datetime.date
    summary: str
    people_served: int = 1


class StudioDutyOut(Schema):
    id: int
    studio_id: int
    studio: str
    day: datetime.date
    status: str
    status_label: str


# --- shapes ----------------------------------------------------------------------------------------------


def _member(m) -> dict:
    return {"id": m.pk, "name": m.name, "sector": m.sector.name if m.sector_id else ""}


def _studio(s) -> dict:
    return {
        "id": s.pk,
        "organisation_id": s.organisation_id,
        "organisation": s.organisation.name,
        "name": s.name,
        "place": s.place,
        "opening_hours": s.opening_hours,
        "contact_rules": s.contact_rules,
        "members": [_member(m) for m in s.members.all()],
    }


def _service(o) -> dict:
    return {
        "id": o.pk,
        "organisation_id": o.organisation_id,
        "title": o.title,
        "category": o.category,
        "category_label": o.get_category_display(),
        "mode": o.mode,
        "mode_label": o.get_mode_display(),
        "description": o.description,
        "available_times": o.available_times,
        "member": _member(o.member),
        "studio_id": o.studio_id,
        "studio": o.studio.name if o.studio_id else None,
    }


def _public_booking(b) -> dict:
    return {
        "booking_code": b.code,
        "status": b.status,
        "service": {"id": b.offer_id, "title": b.offer.title, "member": b.member.name},
        "preferred_time": b.preferred_time,
        "answer": b.answer,
        "created_at": b.created_at,
    }


def _booking_row(user, b) -> dict:
    try:
        rec = b.record  # select_related: no query
    except ServiceRecord.DoesNotExist:
        rec = None
    return {
        "id": b.pk,
        "status": b.status,
        "service_id": b.offer_id,
        "service": b.offer.title,
        "member_id": b.member_id,
        "member": b.member.name,
        "name": b.name,
        "phone": b.phone if r.can_see_phone(user, b) else services.mask_phone(b.phone),
        "preferred_time": b.preferred_time,
        "note": b.note,
        "answer": b.answer,
        "created_at": b.created_at,
        "record": (
            {"served_on": rec.served_on, "summary": rec.summary, "people_served": rec.people_served}
            if rec is not None and not rec.withdrawn
            else None
        ),
    }


# --- public ----------------------------------------------------------------------------------------------


@router.get("/studios", response=list[StudioOut], auth=None, summary="委员工作室（无需登录；仅启用的）")
@paginate(PageNumberPagination, page_size=50)
def list_studios(request, organisation_id: int | None = None):
    return Rows(selectors.public_studios(organisation_id), _studio)


@router.get(
    "/studios/figures",
    response=dict,
    summary="年度数据：委员工作室N个，接待群众M人次；委员线上值班K天（本级及下级；工作人员、领导）",
)
def studio_year_figures(request, year: int | None = None):
    user = request.user
    if not (user.organisation_id and r.can_read_studios(user, user.organisation)):
        raise NotFound("未找到")
    year = year or timezone.localdate().year
    return {"year": year, **figures.year_figures(figures.organisation_ids(user.organisation), year)}


@router.get("/studios/{int:pk}", response=StudioDetail, auth=None, summary="委员工作室详情（无需登录）")
def get_studio(request, pk: int):
    s = selectors.public_studio(pk)
    return {
        **_studio(s),
        "on_duty_today": [_member(m) for m in selectors.duty_members(s, timezone.localdate())],
        "services": [
            {"id": o.pk, "title": o.title, "category": o.category}
            for o in selectors.public_offers(s.organisation_id, studio_id=s.pk)
        ],
        "public_url": request.build_absolute_uri(reverse("studios:public_studio", args=[s.pk])),
    }


@router.get(
    "/services", response=list[StudioServiceOut], auth=None, summary="委员为民服务超市的服务（无需登录）"
)
@paginate(PageNumberPagination, page_size=50)
def list_services(
    request, organisation_id: int | None = None, category: str = "", studio_id: int | None = None
):
    if category and category not in ServiceOffer.Category.values:
        raise Invalid(
            "类别取值不正确（可选 " + "、".join(ServiceOffer.Category.values) + "）。", field="category"
        )
    return Rows(selectors.public_offers(organisation_id, category=category, studio_id=studio_id), _service)


@router.post(
    "/public/bookings",
    response={201: BookingCreated, 429: dict},
    auth=None,
    summary="群众预约为民服务（无需登录；每个网络地址每小时限 public.rate_per_hour 次）",
)
def public_book(request, payload: BookingIn):
    b = services.booking_create(
        offer=payload.service_id,
        name=payload.name,
        phone=payload.phone,
        preferred_time=payload.preferred_time or "",
        note=payload.note or "",
        consent=payload.consent,
        sms=payload.sms,
        ip=client_ip(request),
    )
    return 201, {"booking_code": b.code, "status": b.status}


@router.get(
    "/public/bookings/{booking_code}",
    response=BookingPublic,
    auth=None,
    summary="凭预约码查看预约（预约码错误：404）",
)
def public_booking(request, booking_code: str):
    return _public_booking(services.booking_by_code(booking_code))


@router.post(
    "/public/bookings/{booking_code}/cancel", response=BookingPublic, auth=None, summary="凭预约码取消预约"
)
def public_cancel(request, booking_code: str):
    return _public_booking(services.booking_cancel(code=booking_code))


# --- members and staff -----------------------------------------------------------------------------------


@router.get(
    "/bookings",
    response=list[BookingRow],
    summary="服务预约（委员：本人的；工作人员：本级及下级的；手机号仅对被预约委员和办公室显示）",
)
@paginate(PageNumberPagination, page_size=20)
def list_bookings(request, status: str = "", mine: bool = False):
    if status and status not in Booking.Status.values:
        raise Invalid("状态取值不正确（可选 pending、accepted、declined、done、cancelled）。", field="status")
    user = request.user
    qs = selectors.bookings_for(user, status=status, mine=mine).select_related("record")
    return Rows(qs, lambda b: _booking_row(user, b))


def _booking(request, pk) -> dict:
    return _booking_row(request.user, selectors.booking_for(request.user, pk))


@router.get("/bookings/{int:pk}", response=BookingRow, summary="预约详情")
def get_booking(request, pk: int):
    return _booking(request, pk)


@router.post("/bookings/{int:pk}/accept", response=BookingRow, summary="接受预约（可附说明）")
def accept_booking(request, pk: int, payload: BookingAnswerIn | None = None):
    services.booking_accept(user=request.user, booking=pk, answer=(payload.answer if payload else "") or "")
    return _booking(request, pk)


@router.post("/bookings/{int:pk}/decline", response=BookingRow, summary="婉拒预约（须填写理由，群众可见）")
def decline_booking(request, pk: int, payload: BookingDeclineIn):
    services.booking_decline(user=request.user, booking=pk, reason=payload.reason)
    return _booking(request, pk)


@router.post(
    "/bookings/{int:pk}/record",
    response=BookingRow,
    summary="登记服务情况（完成预约，计入履职记录“为民服务”）",
)
def record_booking(request, pk: int, payload: BookingRecordIn):
    services.booking_record(
        user=request.user,
        booking=pk,
        served_on=payload.served_on,
        summary=payload.summary,
        people_served=payload.people_served,
    )
    return _booking(request, pk)


@router.get("/duties", response=list[StudioDutyOut], summary="本人的线上值班（默认：前后各30天）")
def my_duties(request, start: datetime.date | None = None, end: datetime.date | None = None):
    member_id = r.own_member_id(request.user)
    if member_id is None:
        return []
    today = timezone.localdate()
    start = start or today - datetime.timedelta(days=30)
    end = end or today + datetime.timedelta(days=30)
    if (end - start).days > 366:
        raise Invalid("查询区间不能超过一年。", field="end")
    return [_duty(x) for x in selectors.duties_of(request.user.member, start=start, end=end)]


def _duty(x: DutySlot) -> dict:
    return {
        "id": x.pk,
        "studio_id": x.studio_id,
        "studio": x.studio.name,
        "day": x.day,
        "status": x.status,
        "status_label": x.get_status_display(),
    }


@router.post(
    "/duties/{int:pk}/done", response=StudioDutyOut, summary="确认已值班（计入履职记录“委员工作室线上值班”）"
)
def duty_done(request, pk: int):
    services.duty_done(user=request.user, slot=pk)
    return _duty(selectors.duty_slot_for(request.user, pk))


# --- 换班 (duty swaps) -----------------------------------------------------------------------------------

SwapStatus = Literal["asked", "agreed", "done", "declined", "refused", "cancelled"]


class SwapOut(Schema):
    id: int
    studio_id: int
    studio: str
    duty_id: int
    day: datetime.date
    from_member: StudioMemberOut
    to_member: StudioMemberOut
    reason: str
    status: SwapStatus
    status_label: str
    answer: str
    needs_approval: bool
    created_at: datetime.datetime


class SwapIn(Schema):
    with_member: int
    reason: str = ""


class SwapAnswerIn(Schema):
    reason: str = ""


class SwapDecideIn(Schema):
    decision: Literal["approve", "refuse"]
    reason: str = ""


def _member_brief(m) -> dict:
    return {"id": m.pk, "name": m.name, "sector": ""}


def _swap(w) -> dict:
    return {
        "id": w.pk,
        "studio_id": w.studio_id,
        "studio": w.studio.name,
        "duty_id": w.slot_id,
        "day": w.day,
        "from_member": _member_brief(w.from_member),
        "to_member": _member_brief(w.to_member),
        "reason": w.reason,
        "status": w.status,
        "status_label": w.get_status_display(),
        "answer": w.answer,
        "needs_approval": w.studio.swap_needs_approval,
        "created_at": w.created_at,
    }


@router.get(
    "/studios/{int:pk}/swaps",
    response=list[SwapOut],
    summary="工作室的换班申请（办公室和领导：全部；委员：本人申请或被邀请的）",
)
@paginate(PageNumberPagination, page_size=20)
def list_swaps(request, pk: int, status: str = ""):
    if status and status not in DutySwap.Status.values:
        raise Invalid(
            "状态取值不正确（可选 asked、agreed、done、declined、refused、cancelled）。", field="status"
        )
    _, qs = selectors.swaps_of_studio(request.user, pk, status=status)
    return Rows(qs, _swap)


@router.post(
    "/studio-duties/{int:pk}/swap",
    response={201: SwapOut},
    summary="申请换班：请同一工作室的另一位委员代本人这一天的线上值班",
)
def ask_swap(request, pk: int, payload: SwapIn):
    w = services.swap_ask(user=request.user, slot=pk, with_member=payload.with_member, reason=payload.reason)
    return 201, _swap(selectors.swap_for(request.user, w.pk))


@router.post("/duty-swaps/{int:pk}/accept", response=SwapOut, summary="接受换班（被邀请的委员）")
def accept_swap(request, pk: int):
    services.swap_accept(user=request.user, swap=pk)
    return _swap(selectors.swap_for(request.user, pk))


@router.post("/duty-swaps/{int:pk}/decline", response=SwapOut, summary="婉拒换班（被邀请的委员，可附理由）")
def decline_swap(request, pk: int, payload: SwapAnswerIn | None = None):
    services.swap_decline(user=request.user, swap=pk, reason=(payload.reason if payload else "") or "")
    return _swap(selectors.swap_for(request.user, pk))


@router.post(
    "/duty-swaps/{int:pk}/decide",
    response=SwapOut,
    summary="审批换班（办公室；工作室规定换班须批准时；不批准须填写理由）",
)
def decide_swap(request, pk: int, payload: SwapDecideIn):
    services.swap_decide(
        user=request.user, swap=pk, approve=payload.decision == "approve", reason=payload.reason
    )
    return _swap(selectors.swap_for(request.user, pk))


@router.post("/duty-swaps/{int:pk}/cancel", response=SwapOut, summary="撤回换班申请（申请人）")
def cancel_swap(request, pk: int):
    services.swap_cancel(user=request.user, swap=pk)
    return _swap(selectors.swap_for(request.user, pk))
