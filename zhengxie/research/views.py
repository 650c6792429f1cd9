"""The 视察调研 pages: the list (filters, the year's figures and a chart), 我的课题 for members, the topic
page (visits with attendance, findings and photos, the report — uploaded or generated —, recommendations
and where each went), the create / edit form; every POST calls a service and shows its message next to
the field, with what the user typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from . import rules, selectors, services, stats
from .forms import (
    FilterForm,
    FindingForm,
    RecommendationForm,
    ReportGenerateForm,
    ReportUploadForm,
    RouteForm,
    TopicForm,
    VisitForm,
)
from .models import ResearchTopic

PER_PAGE = 30
S = ResearchTopic.Status


def _year(request):
    value = request.GET.get("year") or ""
    if value == "all":
        return None
    try:
        return services.check_year(value) if value else timezone.localdate().year
    except ServiceError:
        return timezone.localdate().year


def _list(request, *, mine: bool):
    user = request.user
    year = _year(request)
    form = FilterForm(request.GET or None, initial={"year": year}, years=selectors.years(user))
    f = {"kind": "", "status": "", "q": ""}
    if form.is_bound and form.is_valid():
        f.update({k: form.cleaned_data.get(k) or "" for k in f})
    qs = selectors.topic_list(user, year=year, mine=mine, **f)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = qs.filter(selectors.overdue_q())
    page, qs_wo_page = paginate(request, qs, per_page=PER_PAGE)
    figures = stats.year_stats(user, year) if not mine and year else None
    return render(
        request,
        "research/list.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "year": year,
            "mine": mine,
            "overdue": overdue,
            "figures": figures,
            "option": stats.chart(figures) if figures else None,
            "can_create": rules.may_create(user),
            "today": timezone.localdate(),
        },
    )


@login_required
def topic_list(request):
    if not rules.may_list(request.user):
        return redirect("research:mine")
    return _list(request, mine=False)


@login_required
def mine(request):
    return _list(request, mine=True)


def _form_error(form, exc: ServiceError, rename=None) -> None:
    name = (rename or {}).get(exc.field, exc.field)
    if name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


TOPIC_FIELDS = {"member_ids": "members", "writer_ids": "writers"}


@login_required
def create(request):
    user = request.user
    if not rules.may_create(user):
        raise Http404("未找到")
    form = TopicForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            try:
                t = services.create(
                    user,
                    kind=form.cleaned_data["kind"],
                    year=form.cleaned_data["year"],
                    **form.topic_fields(),
                )
            except ServiceError as exc:
                _form_error(form, exc, TOPIC_FIELDS)
            else:
                messages.success(request, f"已新建{t.get_kind_display()}课题“{t.title}”。")
                return redirect("research:detail", t.pk)
        return render(request, "research/form.html", {"form": form, "topic": None}, status=422)
    return render(request, "research/form.html", {"form": form, "topic": None})


@login_required
def edit(request, pk):
    user = request.user
    t = selectors.get(user, pk, full=True)
    if not rules.can_manage(user, t) or t.status == S.CLOSED:
        raise Http404("未找到")
    if request.method == "POST":
        form = TopicForm(request.POST, user=user, topic=t, initial={"kind": t.kind, "year": t.year})
        form.fields["kind"].disabled = form.fields["year"].disabled = True
        if form.is_valid():
            try:
                services.update(user, t, **form.topic_fields())
            except ServiceError as exc:
                _form_error(form, exc, TOPIC_FIELDS)
            else:
                messages.success(request, "已保存。")
                return redirect("research:detail", t.pk)
        return render(request, "research/form.html", {"form": form, "topic": t}, status=422)
    form = TopicForm(
        user=user,
        topic=t,
        initial={
            "kind": t.kind,
            "year": t.year,
            "title": t.title,
            "background": t.background,
            "leader": t.leader_id,
            "committee": t.committee_id,
            "members": [m.pk for m in t.members.all()],
            "writers": [m.pk for m in t.writers.all()],
            "starts_on": t.starts_on,
            "ends_on": t.ends_on,
            "sites": "\n".join(t.sites),
            "chair_collective": t.chair_collective,
        },
    )
    form.fields["kind"].disabled = form.fields["year"].disabled = True
    return render(request, "research/form.html", {"form": form, "topic": t})


def _detail(request, t, status=200, **forms):
    user = request.user
    manage = rules.can_manage(user, t)
    me = rules.participant(user, t)
    contribute = manage or me is not None
    working = t.status == S.IN_PROGRESS
    recs = list(t.recommendations.all())
    ctx = {
        "t": t,
        "visits": selectors.visits(t),
        "findings": list(t.findings.all()),
        "recs": recs,
        "members": list(t.members.all()),
        "writers": list(t.writers.all()),
        "manage": manage,
        "participant": me,
        "overdue": t.overdue(),
        "can_start": manage and t.status == S.PLANNED,
        "can_close": manage and t.status == S.REPORTED,
        "visit_form": forms.get("visit_form")
        or (VisitForm() if manage and t.status in (S.PLANNED, S.IN_PROGRESS) else None),
        "finding_form": forms.get("finding_form") or (FindingForm() if contribute and working else None),
        "upload_form": forms.get("upload_form")
        or (ReportUploadForm(topic=t) if contribute and working else None),
        "generate_form": forms.get("generate_form")
        or (ReportGenerateForm(topic=t) if contribute and working else None),
        "rec_form": forms.get("rec_form")
        or (RecommendationForm() if manage and t.status in (S.IN_PROGRESS, S.REPORTED) else None),
        "route_form": forms.get("route_form")
        or (RouteForm(units=selectors.units(t.organisation)) if manage and t.status == S.REPORTED else None),
        "route_error": forms.get("route_error"),
        "route_rec": forms.get("route_rec"),
        "can_convert": (manage or me is not None) and t.status == S.REPORTED,
        "can_propose": me is not None and t.status == S.REPORTED,
    }
    return render(request, "research/detail.html", ctx, status=status)


@login_required
def detail(request, pk):
    return _detail(request, selectors.get(request.user, pk, full=True))


def _to(t, anchor: str):
    return redirect(reverse("research:detail", args=[t.pk]) + f"#{anchor}")


def _post(request, pk, need):
    user = request.user
    t = selectors.get(user, pk, full=True)
    if not need(user, t):
        raise Http404("未找到")
    return t


@login_required
@require_POST
def status(request, pk):
    t = _post(request, pk, rules.can_manage)
    try:
        services.set_status(request.user, t, request.POST.get("status", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "课题状态已更新。")
    return redirect("research:detail", t.pk)


def _submit(request, pk, *, need, form, key, call, done, anchor="", rename=None):
    """A form of the topic page: `call(topic, cleaned_data)` runs the service; its message goes next to the
    field (`rename`: the service's field → the form's) and the page comes back with what was typed (422)."""
    t = _post(request, pk, need)
    f = form(t)
    if f.is_valid():
        try:
            call(t, f.cleaned_data)
        except ServiceError as exc:
            _form_error(f, exc, rename)
        else:
            messages.success(request, done)
            return _to(t, anchor)
    return _detail(request, selectors.get(request.user, pk, full=True), 422, **{key: f})


@login_required
@require_POST
def visit(request, pk):
    return _submit(
        request,
        pk,
        need=rules.can_manage,
        form=lambda t: VisitForm(request.POST),
        key="visit_form",
        call=lambda t, d: services.add_visit(request.user, t, **d),
        done="已安排活动并通知参加委员。",
        anchor="visits",
    )


@login_required
@require_POST
def finding(request, pk):
    return _submit(
        request,
        pk,
        need=rules.can_contribute,
        form=lambda t: FindingForm(request.POST, request.FILES),
        key="finding_form",
        call=lambda t, d: services.add_finding(request.user, t, content=d["content"], photo=d.get("photo")),
        done="已记录。",
        anchor="findings",
        rename={"file": "photo"},
    )


@login_required
@require_POST
def report_upload(request, pk):
    return _submit(
        request,
        pk,
        need=rules.can_report,
        form=lambda t: ReportUploadForm(request.POST, request.FILES, topic=t),
        key="upload_form",
        call=lambda t, d: services.submit_report(
            request.user, t, file=d["file"], writer_ids=d["writers"], recommendations=d["recommendations"]
        ),
        done="报告已提交，课题已形成报告。",
        anchor="report",
        rename={"writer_ids": "writers"},
    )


@login_required
@require_POST
def report_generate(request, pk):
    return _submit(
        request,
        pk,
        need=rules.can_report,
        form=lambda t: ReportGenerateForm(request.POST, topic=t),
        key="generate_form",
        call=lambda t, d: services.submit_report(
            request.user,
            t,
            generate=True,
            writer_ids=d["writers"],
            recommendations=d["recommendations"],
            summary=d["summary"],
        ),
        done="已生成报告并提交，课题已形成报告。",
        anchor="report",
        rename={"writer_ids": "writers"},
    )


@login_required
@require_POST
def recommendation(request, pk):
    return _submit(
        request,
        pk,
        need=rules.can_manage,
        form=lambda t: RecommendationForm(request.POST),
        key="rec_form",
        call=lambda t, d: services.add_recommendation(request.user, t, content=d["content"]),
        done="已添加建议。",
        anchor="recommendations",
    )


@login_required
@require_POST
def route(request, pk):
    user = request.user
    r = services._recommendation(user, pk)
    t = selectors.get(user, r.topic_id, full=True)
    as_ = request.POST.get("as", "")
    if as_:
        try:
            services.route(user, r, as_=as_, member=request.POST.get("member_id") or None)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            what = "社情民意信息" if as_ == "opinion" else "提案"
            messages.success(request, f"第{r.number}条建议已转为{what}草稿。")
        return _to(t, f"rec-{r.pk}")
    if not rules.can_manage(user, t):
        raise Http404("未找到")
    form = RouteForm(request.POST, units=selectors.units(t.organisation))
    if form.is_valid():
        try:
            services.route(user, r, unit=form.cleaned_data["unit"], deadline=form.cleaned_data["deadline"])
        except ServiceError as exc:
            _form_error(form, exc, {"unit_id": "unit"})
        else:
            messages.success(request, f"第{r.number}条建议已交办。")
            return _to(t, f"rec-{r.pk}")
    return _detail(request, t, 422, route_form=form, route_rec=r.pk)
