"""The 重点工作 pages: the year's list by category (filters, progress bars, lights), a task's page
(milestones, reports, the report form with evidence), the 办公室's create / edit forms, the leader's
board (categories × done / on schedule / behind, a chart), and the .xlsx list and .docx 进度通报."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.documents import file_response
from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from . import documents, rules, selectors, services
from .forms import FilterForm, KeyTaskForm, ReportForm
from .models import Light

PER_PAGE = 30


def _need(cond) -> None:
    if not cond:
        raise Http404("未找到")


def _year(request) -> int:
    value = request.GET.get("year") or ""
    try:
        return services.check_year(value) if value else timezone.localdate().year
    except ServiceError:
        return timezone.localdate().year


@login_required
def task_list(request):
    user = request.user
    _need(rules.may_list(user))
    year = _year(request)
    cats = selectors.categories(user, year)
    form = FilterForm(
        request.GET or None,
        initial={"year": year},
        years=selectors.years(user),
        categories=cats,
        owners=selectors.owners(user, year),
    )
    f = {"category": None, "light": "", "owner": None, "status": "", "q": ""}
    if form.is_bound and form.is_valid():
        f.update({k: form.cleaned_data.get(k) for k in f})
    # From the workbench: the user's tasks behind schedule, of every year unless a year is chosen — the
    # heading, the filters and the note say which (issue 15: it read "2026年重点工作" over all years' tasks).
    todo = "behind" if request.GET.get("todo") == "behind" else ""
    all_years = bool(todo) and not request.GET.get("year")
    if all_years:
        form.fields["year"].choices = [("", "全部年度"), *form.fields["year"].choices]
        form.initial["year"] = ""
    qs = selectors.task_list(user, year=None if all_years else year, todo=todo, **f)
    page, qs_wo_page = paginate(request, qs, per_page=PER_PAGE)
    board = selectors.board(user, year)
    return render(
        request,
        "keytasks/list.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "year": year,
            "board": board,
            "office": rules.is_office(user, user.organisation),
            "today": timezone.localdate(),
            "todo": todo,
            "all_years": all_years,
        },
    )


def _chart(board: dict) -> dict:
    names = [c["name"] for c in board["categories"]]
    series = [
        ("已完成", "done", "#2e7d32"),
        ("按序时推进", "green", "#1976d2"),
        ("滞后（黄灯）", "yellow", "#f9a825"),
        ("严重滞后（红灯）", "red", "#c62828"),
    ]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "n",
                "itemStyle": {"color": color},
                "data": [c[key] for c in board["categories"]],
            }
            for label, key, color in series
        ],
    }


@login_required
def board(request):
    user = request.user
    _need(rules.may_list(user))
    year = _year(request)
    b = selectors.board(user, year)
    behind = list(selectors.task_list(user, year=year, status="in_progress").exclude(light=Light.GREEN)[:30])
    return render(
        request,
        "keytasks/board.html",
        {
            "board": b,
            "year": year,
            "years": selectors.years(user),
            "option": _chart(b),
            "behind": behind,
            "office": rules.is_office(user, user.organisation),
        },
    )


def _form_errors(form, exc: ServiceError) -> None:
    name = {"file": "evidence"}.get(exc.field, exc.field)
    if name in form.fields:
        form.add_error(name, exc.message)
    elif name == "milestones":
        form.milestone_error = exc.message
    else:
        form.add_error(None, exc.message)


def _edit_page(request, form, task=None, status=200):
    return render(
        request,
        "keytasks/form.html",
        {
            "form": form,
            "task": task,
            "categories": selectors.categories(
                request.user, form.data.get("year") or form.initial.get("year")
            ),
        },
        status=status,
    )


@login_required
def create(request):
    user = request.user
    _need(rules.is_office(user, user.organisation))
    org = user.organisation
    if request.method == "POST":
        form = KeyTaskForm(request.POST, organisation=org)
        if form.is_valid():
            try:
                t = services.create(user, year=form.cleaned_data["year"], **form.task_fields())
            except ServiceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"已新建重点工作任务“{t.title}”。")
                return redirect("keytasks:detail", t.pk)
        return _edit_page(request, form, status=422)
    initial = {}
    if request.GET.get("category"):
        initial["category"] = request.GET["category"][:60]
    return _edit_page(request, KeyTaskForm(organisation=org, initial=initial))


@login_required
def edit(request, pk):
    user = request.user
    t = selectors.get(user, pk)
    if not rules.can_edit(user, t):
        raise Http404("未找到")
    ms = list(t.milestones.all())
    if request.method == "POST":
        form = KeyTaskForm(request.POST, organisation=t.organisation, milestones=ms, initial={"year": t.year})
        form.fields["year"].disabled = True  # a task stays in its year
        if form.is_valid():
            try:
                services.update(user, t, **form.task_fields())
            except ServiceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("keytasks:detail", t.pk)
        return _edit_page(request, form, t, status=422)
    form = KeyTaskForm(
        organisation=t.organisation,
        milestones=ms,
        initial={
            "year": t.year,
            "category": t.category.name,
            "title": t.title,
            "description": t.description,
            "owner": t.owner_id,
            "owner_unit": t.owner_unit,
            "leader": t.leader_id,
            "starts_on": t.starts_on,
            "due_on": t.due_on,
        },
    )
    form.fields["year"].disabled = True
    return _edit_page(request, form, t)


def _detail(request, t, form=None, status=200):
    user = request.user
    today = timezone.localdate()
    can_report = rules.can_report(user, t)
    return render(
        request,
        "keytasks/detail.html",
        {
            "t": t,
            "today": today,
            "milestones": [(m, m.overdue(today)) for m in t.milestones.all()],
            "reports": list(t.reports.all()),
            "form": (form or ReportForm(task=t)) if can_report else None,
            "can_edit": rules.can_edit(user, t),
        },
        status=status,
    )


@login_required
def detail(request, pk):
    return _detail(request, selectors.get(request.user, pk, full=True))


@login_required
@require_POST
def report(request, pk):
    user = request.user
    t = selectors.get(user, pk, full=True)
    if not rules.can_report(user, t):
        raise Http404("未找到")
    form = ReportForm(request.POST, request.FILES, task=t)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.report(
                user,
                t,
                percent=d["percent"],
                note=d["note"],
                reason=d["reason"],
                evidence=d.get("evidence"),
                milestones_done=d.get("milestones_done") or (),
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "进展已报送。")
            return redirect("keytasks:detail", t.pk)
    return _detail(request, selectors.get(user, pk, full=True), form, status=422)


@login_required
def export(request):
    user = request.user
    _need(rules.may_list(user))
    year = _year(request)
    rows = list(selectors.task_list(user, year=year))
    return file_response(documents.xlsx(rows, year), f"{year}年重点工作进度表.xlsx", documents.XLSX)


@login_required
def bulletin(request):
    user = request.user
    _need(rules.may_list(user))
    year = _year(request)
    rows = list(selectors.task_list(user, year=year))
    data = documents.bulletin(user.organisation, year, rows, selectors.board(user, year))
    return file_response(data, f"{year}年重点工作进度通报.docx", documents.DOCX)
