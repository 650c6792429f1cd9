"""The 办公室's pages: the moderation queue (status filter, search, pages), the item page with its
actions (审核, 交办, 公开; a studio member's 答复), the photos (served through the item's permission), and a
studio member's list of what their studios were asked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Role
from zhengxie.core.views import paginate

from .. import rules, selectors, services
from ..duplicates import duplicate_groups
from ..forms import FilterForm, ModerateForm, PublishForm, ReplyForm, RouteForm
from ..models import Photo, Suggestion

S = Suggestion.Status
FIELD_NAMES = {"unit_id": "unit", "studio_id": "studio"}


def _poster_urls() -> dict:
    """The organisation's QR poster (drawn by the studios app through core.posters), when it exists."""
    try:
        return {fmt: reverse("studios:organisation_poster", args=[fmt]) for fmt in ("pdf", "png")}
    except NoReverseMatch:
        return {}


def _need(cond) -> None:
    if not cond:
        raise Http404("未找到")


@login_required
def queue(request):
    user = request.user
    _need(rules.is_reader(user))
    form = FilterForm(request.GET or None)
    status = q = ""
    if form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    qs = selectors.staff_list(user, status=status or None, q=q)
    page, qs_wo_page = paginate(request, qs, kept="suggestions")  # the count kept (core.datacache)
    return render(
        request,
        "suggestions/queue.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "waiting": selectors.waiting_counts(user),
            "office": rules.is_public_office(user),
            "posters": _poster_urls() if rules.is_public_office(user) else {},
            "dups": duplicate_groups(user),
        },
    )


@login_required
def studio_queue(request):
    user = request.user
    _need(user.has_role(Role.MEMBER) or rules.studio_ids(user))
    page, qs_wo_page = paginate(
        request, selectors.studio_list(user, status=request.GET.get("status") or None)
    )
    return render(
        request,
        "suggestions/studio_queue.html",
        {"page_obj": page, "querystring_without_page": qs_wo_page},
    )


def _forms(user, s: Suggestion, actions, bound=None) -> dict:
    forms = {}
    if "moderate" in actions:
        forms["moderate"] = ModerateForm()
    if "route" in actions:
        forms["route"] = RouteForm(organisation=s.organisation)
    if "reply" in actions:
        forms["reply"] = ReplyForm()
    if "publish" in actions:
        forms["publish"] = PublishForm(initial={"answer": s.published_answer or s.reply_content})
    forms.update(bound or {})
    return forms


def _page(request, s: Suggestion, bound=None, status=200):
    user = request.user
    actions = selectors.allowed_actions(user, s)
    return render(
        request,
        "suggestions/detail.html",
        {
            "s": s,
            "phone": s.phone if rules.sees_phone(user, s) else s.masked_phone,
            "photos": list(s.photos.all()),
            "events": list(s.events.all()),
            "actions": actions,
            "forms": _forms(user, s, actions, bound),
            "office": rules.can_moderate(user, s),
        },
        status=status,
    )


@login_required
def detail(request, pk):
    return _page(request, selectors.get(request.user, pk))


ACTIONS = {
    "moderate": (ModerateForm, "审核"),
    "route": (RouteForm, "交办"),
    "reply": (ReplyForm, "答复"),
    "publish": (PublishForm, "公开"),
}


@login_required
@require_POST
def action(request, pk, name):
    user = request.user
    s = selectors.get(user, pk)
    if name not in ACTIONS:
        raise Http404("未找到")
    form_class, verb = ACTIONS[name]
    form = (
        form_class(request.POST, organisation=s.organisation) if name == "route" else form_class(request.POST)
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            if name == "moderate":
                services.moderate(
                    user=user,
                    suggestion=s,
                    decision=d["decision"],
                    reason=d["reason"],
                    category=d["category"],
                    duplicate_of=d["duplicate_of"],
                )
            elif name == "route":
                services.route(
                    user=user,
                    suggestion=s,
                    unit=d["unit"],
                    studio=d["studio"],
                    deadline=d["deadline"],
                    note=d["note"],
                )
            elif name == "reply":
                services.reply(user=user, suggestion=s, content=d["content"])
            else:
                services.publish(user=user, suggestion=s, answer=d["answer"])
            messages.success(request, f"已{verb}。")
            return redirect("suggestions:detail", s.pk)
        except ServiceError as exc:
            field = FIELD_NAMES.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
            status = exc.status
    else:
        status = 422
    s = selectors.get(user, pk)
    return _page(request, s, {name: form}, status=status)


@login_required
@require_POST
def unpublish(request, pk):
    try:
        services.publish(user=request.user, suggestion=pk, published=False)
        messages.success(request, "已取消公开。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("suggestions:detail", pk)


@login_required
def photo(request, pk):
    p = get_object_or_404(Photo.objects.select_related("suggestion__organisation"), pk=pk)
    _need(rules.can_view(request.user, p.suggestion))
    response = FileResponse(p.file.open("rb"), content_type=p.mime_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
