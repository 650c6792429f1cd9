"""The 民主评议 pages: the rounds, a round's page (targets with search, the organiser's forms for targets and
raters, the steps), the phone's rating page (scores or verdicts, note, photos, the place), a target's
ratings, the results (ranking, chart, 满意 / 重点监督), the .xlsx and the illustrated 汇编 (background)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from . import documents, rules, selectors, services, tasks
from .forms import InviteForm, RatingForm, RoundForm, TargetsForm
from .models import Round

PER_PAGE = 30


def _need(cond) -> None:
    if not cond:
        raise Http404("未找到")


def _year(request):
    value = request.GET.get("year") or ""
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@login_required
def round_list(request):
    user = request.user
    _need(rules.may_list(user))
    year = _year(request)
    todo = request.GET.get("todo") == "1"
    qs = selectors.round_list(
        user,
        year=year,
        status=request.GET.get("status", ""),
        q=request.GET.get("q", "")[:100],
        todo=todo,
    )
    page, qs_wo_page = paginate(request, qs, per_page=PER_PAGE)
    return render(
        request,
        "appraisal/list.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "year": year,
            "years": selectors.years(user),
            "statuses": Round.Status.choices,
            "status": request.GET.get("status", ""),
            "q": request.GET.get("q", "")[:100],
            "organiser": rules.is_organiser(user, user.organisation),
            "todo_round": selectors.open_todo_round(user),
            "todo": todo,
        },
    )


def _form_error(form, exc: ServiceError) -> None:
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    elif exc.field == "items":
        form.item_error = exc.message
    else:
        form.add_error(None, exc.message)


@login_required
def create(request):
    user = request.user
    _need(rules.is_organiser(user, user.organisation))
    if request.method == "POST":
        form = RoundForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                r = services.create(
                    user,
                    year=d["year"],
                    title=d["title"],
                    kind=d["kind"],
                    description=d["description"],
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                    photo_required=d["photo_required"],
                    items=form.items(),
                )
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已新建民主评议“{r.title}”，请添加评议对象并邀请委员。")
                return redirect("appraisal:detail", r.pk)
        return render(request, "appraisal/form.html", {"form": form}, status=422)
    now = timezone.localtime()
    initial = {
        "opens_at": now.replace(minute=0, second=0, microsecond=0),
        "closes_at": (now + timezone.timedelta(days=14)).replace(minute=0, second=0, microsecond=0),
        "item_name_0": "环境卫生",
        "item_weight_0": 30,
        "item_name_1": "设施维护",
        "item_weight_1": 30,
        "item_name_2": "管理服务",
        "item_weight_2": 40,
    }
    return render(request, "appraisal/form.html", {"form": RoundForm(initial=initial)})


def _edit_form(r: Round, data=None) -> RoundForm:
    initial = {
        "year": r.year,
        "title": r.title,
        "kind": r.kind,
        "description": r.description,
        "opens_at": timezone.localtime(r.opens_at),
        "closes_at": timezone.localtime(r.closes_at),
        "photo_required": r.photo_required,
    }
    for i, item in enumerate(r.items.all()):
        initial.update(
            {
                f"item_name_{i}": item.name,
                f"item_weight_{i}": item.weight or "",
                f"item_guidance_{i}": item.guidance,
            }
        )
    form = RoundForm(data, initial=initial)
    form.fields["year"].disabled = form.fields["kind"].disabled = True  # a round keeps its year and kind
    form.items_locked = r.status != Round.Status.DRAFT
    if form.items_locked:
        form.fields["photo_required"].disabled = True
    return form


@login_required
def edit(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_manage(user, r) and r.status in (Round.Status.DRAFT, Round.Status.OPEN))
    if request.method == "POST":
        form = _edit_form(r, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            fields = {k: d[k] for k in ("title", "description", "opens_at", "closes_at")}
            if not form.items_locked:
                fields.update(photo_required=d["photo_required"], items=form.items())
            try:
                services.update(user, r, **fields)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("appraisal:detail", r.pk)
        return render(request, "appraisal/form.html", {"form": form, "r": r}, status=422)
    return render(request, "appraisal/form.html", {"form": _edit_form(r), "r": r})


def _detail(request, r, *, targets_form=None, invite_form=None, status=200):
    user = request.user
    q = request.GET.get("q", "")[:100]
    page, qs_wo_page = paginate(request, selectors.targets(r, q=q), per_page=50)
    rater = selectors.my_rater(user, r)
    manage = rules.can_manage(user, r)
    return render(
        request,
        "appraisal/detail.html",
        {
            "r": r,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "q": q,
            "rater": rater,
            "rated": selectors.rated_ids(rater),
            "can_rate": rater is not None and r.window_open(),
            "manage": manage,
            "details": rules.can_see_details(user, r),
            "results": rules.can_see_results(user, r),
            "targets_form": (targets_form or TargetsForm())
            if manage and r.status in ("draft", "open")
            else None,
            "invite_form": (invite_form or InviteForm(rnd=r, user=request.user))
            if manage and r.status in ("draft", "open")
            else None,
            "steps": [a for a, states in services.TRANSITIONS.items() if r.status in states]
            if manage
            else [],
            "step_words": services.STEP_WORDS,
        },
        status=status,
    )


@login_required
def detail(request, pk):
    return _detail(request, selectors.get(request.user, pk))


@login_required
@require_POST
def add_targets(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_manage(user, r))
    form = TargetsForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            new = services.add_targets(
                user, r, text=d["lines"], upload=d.get("file"), all_units=d["all_units"]
            )
        except ServiceError as exc:
            form.add_error("file" if exc.field == "file" else "lines", exc.message)
        else:
            messages.success(request, f"已添加{len(new)}个评议对象。")
            return redirect("appraisal:detail", r.pk)
    return _detail(request, selectors.get(user, pk), targets_form=form, status=422)


@login_required
@require_POST
def invite(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_manage(user, r))
    form = InviteForm(request.POST, rnd=r, user=user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            n = services.invite(
                user,
                r,
                members=list(d["members"]),
                sectors=list(d["sectors"]),
                committees=list(d["committees"]),
                all_members=d["all_members"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已邀请{n}名委员参评。")
            return redirect("appraisal:detail", r.pk)
    return _detail(request, selectors.get(user, pk), invite_form=form, status=422)


@login_required
@require_POST
def step(request, pk, action):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_manage(user, r))
    do = {"open": services.open_round, "close": services.close_round, "publish": services.publish}[action]
    try:
        do(user, r)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{services.STEP_WORDS[action]}。")
    return redirect("appraisal:detail", r.pk)


@login_required
@require_POST
def finish(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(selectors.my_rater(user, r) is not None)
    try:
        services.finish(user, r)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已确认完成本次评议，谢谢参与。")
    return redirect("appraisal:detail", r.pk)


def _rate_page(request, r, t, rater, form, *, error="", status=200):
    rating = selectors.my_rating(rater, t)
    return render(
        request,
        "appraisal/rate.html",
        {"r": r, "t": t, "form": form, "rating": rating, "error": error, "open": r.window_open()},
        status=status,
    )


@login_required
def rate(request, pk, target_id):
    user = request.user
    r = selectors.get(user, pk)
    t = selectors.target(r, target_id)
    rater = selectors.my_rater(user, r)
    _need(rater is not None)
    items = list(r.items.all())
    if request.method == "POST":
        form = RatingForm(request.POST, round=r, items=items)
        if not form.is_valid():  # the note too long: said next to it, nothing saved
            return _rate_page(request, r, t, rater, form, status=422)
        d = form.cleaned_data
        try:
            services.rate(
                user,
                r,
                t,
                scores=form.scores(),
                note=d["note"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                accuracy=d["accuracy"],
                photos=request.FILES.getlist("photos"),
            )
        except ServiceError as exc:
            if exc.status == 422:
                if exc.field == "photos":
                    form.photo_error = exc.message
                else:
                    form.add_error("note" if exc.field == "note" else None, exc.message)
                return _rate_page(request, r, t, rater, form, status=422)
            return _rate_page(request, r, t, rater, form, error=exc.message, status=exc.status)
        messages.success(request, f"已提交对“{t.name}”的评议。")
        return redirect(f"{services.url(r)}#target-{t.pk}")
    rating = selectors.my_rating(rater, t)
    return _rate_page(request, r, t, rater, RatingForm(round=r, items=items, rating=rating))


@login_required
def target_detail(request, pk, target_id):
    user = request.user
    r = selectors.get(user, pk)
    t = selectors.target(r, target_id)
    details = rules.can_see_details(user, r)
    published = r.status == Round.Status.PUBLISHED
    rows = list(selectors.ratings(user, r, target=t))  # a member: their own only
    photos = selectors.photos_by_target(r, [t.pk], limit=30).get(t.pk, []) if (details or published) else []
    rater = selectors.my_rater(user, r)
    return render(
        request,
        "appraisal/target.html",
        {
            "r": r,
            "t": t,
            "rows": rows,
            # an invited member who opened the place from the list rates it from here too
            "can_rate": rater is not None and r.window_open(),
            "rated": rater is not None and any(x.member_id == rater.member_id for x in rows),
            "details": details,
            "photos": photos,
            "items": list(r.items.all()),
            "notes": selectors.notes_by_target(r, [t.pk]).get(t.pk, []) if published and not details else [],
        },
    )


@login_required
def results(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_see_results(user, r))
    res = selectors.results(user, r)
    return render(
        request,
        "appraisal/results.html",
        {
            **res,
            "r": r,
            "details": rules.can_see_details(user, r),
            "may_compile": core_exports.may_start(user, tasks.BOOKLET) and rules.can_see_details(user, r),
        },
    )


@login_required
def results_xlsx(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_see_results(user, r))
    res = selectors.results(user, r)
    resp = HttpResponse(documents.results_xlsx(r, res["targets"]), content_type=documents.XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(r.title + '评议结果.xlsx')}"
    return resp


@login_required
@require_POST
def booklet(request, pk):
    user = request.user
    r = selectors.get(user, pk)
    _need(rules.can_see_details(user, r) and core_exports.may_start(user, tasks.BOOKLET))
    fmt = "pdf" if request.POST.get("format") == "pdf" else "docx"
    return core_exports.respond(
        request, tasks.BOOKLET, {"round": r.pk, "format": fmt}, title=f"{r.title}评议汇编（{fmt.upper()}）"
    )
