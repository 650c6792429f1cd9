"""The public's pages (no login, no script): light, server-rendered, Chinese. An organisation's page
(/p/<code>/) and a studio's (/p/<code>/studio/<id>/) are what the QR posters open: the 微建议 form on the
page itself; on success the tracking code, big. /p/track/ shows the citizen their own item by its code
(posted, never in the URL) and takes their rating; /p/<code>/answers/ lists the published answers."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengxie.core import orgsettings
from zhengxie.core.context import client_ip
from zhengxie.core.errors import Invalid, NotFound, ServiceError
from zhengxie.core.pagination import Paginator

from .. import selectors, services
from ..forms import PublicForm, RateForm, TrackForm
from ..models import Suggestion, new_tracking_code

FIELD_NAMES = {"studio_id": None}


def _org(code):
    org = services.public_organisation(code)
    if org.pk is None or str(org.code) != str(code):
        raise Http404("未找到")
    return org


def _studios(org):
    from zhengxie.studios.models import Studio

    return list(
        Studio.objects.filter(organisation_id=org.pk, active=True).only("id", "name").order_by("name")
    )


def _studio(org, studio_id):
    try:
        return services.public_studio(org, studio_id)
    except Invalid:
        raise Http404("未找到")


def index(request):
    """/p/: the way in for a citizen who typed the site's address (the login page links here): each active
    committee's 码上议 page, and the tracking form."""
    from zhengxie.core.models import Organisation

    orgs = list(
        Organisation.objects.filter(is_active=True)
        .exclude(kind=Organisation.Kind.LIAISON)
        .only("id", "name", "code", "path")
        .order_by("path")
    )
    return render(request, "suggestions/public/index.html", {"orgs": orgs})


@never_cache
@require_http_methods(["GET", "POST"])
def landing(request, code, studio_id=None):
    org = _org(code)
    studio = _studio(org, studio_id) if studio_id is not None else None
    status = 200
    check = None
    if request.method == "POST" and request.POST.get("action") == "check":
        # 撰写助手: advice on what is typed and published answers on the same matter; nothing is submitted.
        # With htmx (a pause in typing) only the panel; without script (the 检查一下 button) the page again,
        # everything typed kept.
        check, status = _check(request, org)
        if request.htmx:
            return render(request, "drafting/_public_panel.html", check)  # htmx swaps 200s only
        form = PublicForm(request.POST, organisation=org)
    elif request.method == "POST":
        form = PublicForm(request.POST, request.FILES, organisation=org)
        honeypot = request.POST.get("website", "")
        try:
            if honeypot or form.is_valid():
                data = form.cleaned_data if not honeypot else {}
                s = services.submit(
                    organisation=org,
                    title=data.get("title", ""),
                    content=data.get("content", ""),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                    consent=data.get("consent", False),
                    consent_to_call=data.get("consent_to_call", False),
                    studio=studio,
                    photos=request.FILES.getlist("photos"),
                    ip=client_ip(request),
                    honeypot=honeypot,
                )
                # A bot that filled the honeypot sees the same page with a code that finds nothing.
                tracking = s.tracking_code if s is not None else new_tracking_code()
                return render(
                    request, "suggestions/public/done.html", {"org": org, "studio": studio, "code": tracking}
                )
        except ServiceError as exc:
            status = exc.status
            field = FIELD_NAMES.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        if status == 200:
            status = 422 if form.errors else 200
    else:
        form = PublicForm(organisation=org)
    return render(
        request,
        "suggestions/public/landing.html",
        {
            "org": org,
            "studio": studio,
            "form": form,
            "studios": _studios(org) if studio is None else [],
            "answers": list(selectors.published(org.pk)[:3]),
            "check": check,
            "reply_days": orgsettings.get(org, "public.reply_days"),
            "photo_max_mb": orgsettings.get(org, "public.photo_max_mb"),
            # A browser cannot keep a chosen file across a page that comes back with errors: say so.
            "lost_photos": [f.name for f in request.FILES.getlist("photos") if f]
            if request.method == "POST"
            else [],
        },
        status=status,
    )


def _check(request, org) -> tuple[dict, int]:
    from zhengxie.drafting import services as drafting

    try:
        result = drafting.public_check(
            organisation=org,
            title=request.POST.get("title", ""),
            content=request.POST.get("content", ""),
            ip=client_ip(request),
        )
    except ServiceError as exc:
        return {"error": exc.message, "advice": [], "similar": []}, exc.status
    typed = bool((request.POST.get("title", "") + request.POST.get("content", "")).strip())
    return {**result, "typed": typed, "noun": "建议"}, 200


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """GET: the form; POST code: the item (status, answer, rejection reason, the rating form once
    replied); POST code + rating: rate."""
    s, rate_form, status = None, None, 200
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            s = services.by_code(form.cleaned_data["code"], ip)
        except (NotFound, ServiceError) as exc:
            form.add_error("code", exc.message)
            status = exc.status
        # The rating form posts its 意见 box even when no rating is picked (an unticked radio is not sent):
        # that is a rating with nothing picked, which the service names, not a look-up.
        if s is not None and ("rating" in request.POST or "comment" in request.POST):
            rate_form = RateForm(request.POST)
            if rate_form.is_valid():
                try:
                    s = services.rate(
                        ip=None,  # the look-up above counted
                        code=s.tracking_code,
                        rating=rate_form.cleaned_data["rating"],
                        comment=rate_form.cleaned_data["comment"],
                    )
                    rate_form = None
                except ServiceError as exc:
                    rate_form.add_error(exc.field if exc.field in rate_form.fields else None, exc.message)
                    status = exc.status
        if s is not None and s.status == Suggestion.Status.REPLIED and rate_form is None:
            rate_form = RateForm()
    return render(
        request,
        "suggestions/public/track.html",
        {"form": form, "s": s, "rate_form": rate_form},
        status=status,
    )


def answers(request, code):
    org = _org(code)
    page = Paginator(selectors.published(org.pk), 10).get_page(request.GET.get("page"))
    return render(request, "suggestions/public/answers.html", {"org": org, "page_obj": page})
