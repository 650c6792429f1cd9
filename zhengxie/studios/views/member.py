"""我的工作室 (a member's page: duty days, services, bookings to accept, what was done), the member's service
forms and a booking's page (the member booked, or staff)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.members.selectors import member_of

from .. import rules as r
from .. import selectors, services
from ..forms import OfferForm, ReasonForm, ServiceRecordForm
from ..models import Booking, DutySlot
from .common import fail, need


@login_required
def mine(request):
    user = request.user
    member = member_of(user)
    need(member is not None)
    today = timezone.localdate()
    studios = (
        list(selectors.studios_for(user))
        if not r.can_read_studios(user, user.organisation)
        else list(selectors.studios_for(user).filter(members__pk=member.pk))
    )
    on_duty = selectors.duty_by_studio([s.pk for s in studios], today)
    duties = list(
        selectors.duties_of(
            member, start=today - datetime.timedelta(days=30), end=today + datetime.timedelta(days=62)
        )
    )
    offers = list(selectors.offers_of(member))
    bookings = list(
        selectors.bookings_for(user, mine=True).filter(
            status__in=(Booking.Status.PENDING, Booking.Status.ACCEPTED)
        )
    )
    records = list(selectors.records_of(member)[:10])
    swaps = selectors.swaps_of_member(member)
    upcoming = [d for d in duties if d.day >= today][:12]
    # 换班: each coming planned day offers the other members of its studio, unless a swap is open for it
    mates = {s.pk: [m for m in s.members.all() if m.pk != member.pk] for s in studios}
    open_slots = {w.slot_id for w in swaps}
    for d in upcoming:
        d.mates = mates.get(d.studio_id, []) if d.pk not in open_slots else []
    return render(
        request,
        "studios/mine.html",
        {
            "member": member,
            "studios": [{"studio": s, "on_duty": on_duty.get(s.pk, [])} for s in studios],
            "upcoming": upcoming,
            "swaps_in": [w for w in swaps if w.to_member_id == member.pk],
            "swaps_out": [w for w in swaps if w.from_member_id == member.pk],
            "past": [d for d in reversed(duties) if d.day < today][:10],
            "offers": offers,
            "bookings": bookings,
            "records": records,
            "record_form": ServiceRecordForm(offers=offers),
            "reason_form": ReasonForm(),
            "today": today,
            "S": DutySlot.Status,
        },
    )


def _member_studios(member):
    return list(member.studios.filter(active=True).order_by("name")) if member is not None else []


@login_required
def offer_create(request):
    user = request.user
    need(r.may_offer(user))
    member = member_of(user)
    need(member is not None)
    form = OfferForm(request.POST or None, studios=_member_studios(member))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.offer_create(user=user, studio_id=d["studio"], active=d["active"], **_offer_fields(d))
        except ServiceError as exc:
            fail(request, exc, form)
        else:
            messages.success(request, "服务已发布到为民服务超市。")
            return redirect("studios:mine")
    return render(request, "studios/offer_form.html", {"form": form}, status=422 if form.errors else 200)


def _offer_fields(d) -> dict:
    return {k: d[k] for k in ("title", "description", "category", "mode", "available_times", "capacity")}


@login_required
def offer_edit(request, pk):
    user = request.user
    o = selectors.offer_for(user, pk)
    need(r.can_act_for(user, o))
    initial = {**_offer_fields(o.__dict__), "studio": o.studio_id, "active": o.active}
    form = OfferForm(request.POST or None, initial=initial, studios=_member_studios(o.member))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.offer_update(
                user=user, offer=o, studio_id=d["studio"], active=d["active"], **_offer_fields(d)
            )
        except ServiceError as exc:
            fail(request, exc, form)
        else:
            messages.success(request, "已保存。")
            return redirect("studios:mine")
    return render(
        request, "studios/offer_form.html", {"form": form, "offer": o}, status=422 if form.errors else 200
    )


@login_required
def booking_detail(request, pk):
    user = request.user
    b = selectors.booking_for(user, pk)
    return _booking_page(request, b)


def _booking_page(request, b, *, record_form=None, reason_form=None, status=200):
    user = request.user
    record = getattr(b, "record", None) if hasattr(b, "record") else None
    return render(
        request,
        "studios/booking.html",
        {
            "b": b,
            "phone": b.phone if r.can_see_phone(user, b) else services.mask_phone(b.phone),
            "can_act": r.can_act_for(user, b),
            "record": record if record is not None and not record.withdrawn else None,
            "record_form": record_form or ServiceRecordForm(),
            "reason_form": reason_form or ReasonForm(),
            "S": Booking.Status,
        },
        status=status,
    )


@login_required
@require_POST
def booking_action(request, pk, action):
    user = request.user
    need(action in ("accept", "decline", "record"))
    b = selectors.booking_for(user, pk)
    need(r.can_act_for(user, b))
    if action == "record":
        form = ServiceRecordForm(request.POST)
        if not form.is_valid():
            return _booking_page(request, b, record_form=form, status=422)
        d = form.cleaned_data
        try:
            services.booking_record(
                user=user,
                booking=b,
                served_on=d["served_on"],
                summary=d["summary"],
                people_served=d["people_served"],
            )
        except ServiceError as exc:
            fail(request, exc, form)
            return _booking_page(request, b, record_form=form, status=exc.status)
        messages.success(request, "已登记服务情况，计入履职记录。")
        return redirect("studios:booking", b.pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "accept":
            services.booking_accept(user=user, booking=b, answer=reason)
        else:
            services.booking_decline(user=user, booking=b, reason=reason)
    except ServiceError as exc:
        fail(request, exc, form)
        return _booking_page(request, b, reason_form=form, status=exc.status)
    messages.success(request, "已接受预约。" if action == "accept" else "已婉拒预约。")
    return redirect("studios:booking", b.pk)


@login_required
def record_create(request):
    """People received without a booking (来访接待、电话咨询 …)."""
    user = request.user
    member = member_of(user)
    need(member is not None)
    offers = list(selectors.offers_of(member))
    form = ServiceRecordForm(request.POST or None, offers=offers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.service_record_create(
                user=user,
                offer=d.get("offer"),
                served_on=d["served_on"],
                summary=d["summary"],
                people_served=d["people_served"],
            )
        except ServiceError as exc:
            fail(request, exc, form)
        else:
            messages.success(request, "已登记服务情况，计入履职记录。")
            return redirect("studios:mine")
    return render(request, "studios/record_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
def record_withdraw(request, pk):
    user = request.user
    try:
        services.service_record_withdraw(user=user, record_id=pk)
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(request, "已撤回该服务记录。")
    return redirect("studios:mine")
