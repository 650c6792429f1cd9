"""The public's pages (no login, no script): light, server-rendered, Chinese, readable on a slow phone.

- /studios/public/<org code>/services/: the 为民服务超市 of a committee (filter by category)
- /studios/public/studio/<id>/: a studio's page (what its QR poster opens): place, hours, members, who is
  on 线上值班 today, its services, a link to leave it a message (the suggestions app's form)
- /studios/public/service/<id>/: one service and the booking form (honeypot, rate limit); on success the
  booking code, big
- /studios/public/booking/: the citizen's booking by its code (posted, never in the URL), and cancelling it
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengxie.core.context import client_ip
from zhengxie.core.errors import NotFound, ServiceError

from .. import selectors, services
from ..forms import BookingForm, CodeForm
from ..models import ServiceOffer, Studio


def _message_url(studio) -> str:
    """The suggestions app's public form for this studio (/p/<org code>/studio/<id>/)."""
    try:
        return reverse("public:studio", args=[studio.organisation.code, studio.pk])
    except NoReverseMatch:
        return f"/p/{studio.organisation.code}/studio/{studio.pk}/"


def services_list(request, code):
    org = services.public_organisation(code)
    category = request.GET.get("category", "")
    if category not in ServiceOffer.Category.values:
        category = ""
    offers = list(selectors.public_offers(org.pk, category=category)[:200])
    return render(
        request,
        "studios/public/services.html",
        {
            "org": org,
            "offers": offers,
            "category": category,
            "categories": ServiceOffer.Category.choices,
            "studios": list(
                Studio.objects.filter(organisation=org, active=True)
                .only("id", "name", "place")
                .order_by("name")
            ),
        },
    )


def studio_page(request, pk):
    s = selectors.public_studio(pk)
    return render(
        request,
        "studios/public/studio.html",
        {
            "org": s.organisation,
            "studio": s,
            "on_duty": selectors.duty_members(s, timezone.localdate()),
            "offers": list(selectors.public_offers(s.organisation_id, studio_id=s.pk)),
            "message_url": _message_url(s),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def offer_page(request, pk):
    o = services.public_offer(pk)
    form = BookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        honeypot = request.POST.get("website", "")
        try:
            if honeypot or form.is_valid():
                d = form.cleaned_data if not honeypot else {}
                b = services.booking_create(
                    offer=o,
                    name=d.get("name", "x"),
                    phone=d.get("phone", "13800000000"),
                    preferred_time=d.get("preferred_time", ""),
                    note=d.get("note", ""),
                    consent=True if honeypot else bool(d.get("consent")),
                    sms=bool(d.get("sms")),
                    ip=client_ip(request),
                    honeypot=honeypot,
                )
                # A bot that filled the honeypot sees the same page with a code that finds nothing.
                code = b.code if b is not None else services.new_booking_code()
                return render(
                    request, "studios/public/booked.html", {"org": o.organisation, "offer": o, "code": code}
                )
        except ServiceError as exc:
            status = exc.status
            name = {"phone": "phone", "name": "name", "consent": "consent", "note": "note"}.get(exc.field)
            form.add_error(name, exc.message)
        if status == 200:
            status = 422 if form.errors else 200
    return render(
        request, "studios/public/offer.html", {"org": o.organisation, "offer": o, "form": form}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def booking_page(request):
    form = CodeForm(request.POST or None)
    booking, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("cancel"):
                booking = services.booking_cancel(code=form.cleaned_data["code"])
            else:
                booking = services.booking_by_code(form.cleaned_data["code"])
        except NotFound as exc:
            form.add_error("code", exc.message)
            status = 404
        except ServiceError as exc:
            form.add_error(None, exc.message)
            booking = services.booking_by_code(form.cleaned_data["code"])
            status = exc.status
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "studios/public/booking.html",
        {
            "form": form,
            "b": booking,
            "org": booking.organisation if booking else None,
            "can_cancel": booking is not None and booking.status in services.market.OPEN,
        },
        status=status,
    )
