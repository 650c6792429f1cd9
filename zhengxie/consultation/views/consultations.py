"""Consultation pages: the list (year, form, status), create and edit, the consultation's page (its steps,
meeting, agenda segments, materials, minutes, and the hall and outcome panels of the other parts), and the
year's statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import posters
from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Attachment
from zhengxie.core.views import paginate

from .. import rules, selectors, stats
from ..forms import ConsultationForm, MaterialForm, MeetingForm, MinutesForm, SegmentForm, StepForm
from ..models import Consultation, Segment
from ..services import consultations as services
from . import hall as hall_views
from . import outcomes as outcome_views

FIELD_NAMES = {"topic_id": "topic", "department_ids": "departments", "research_topic_ids": "research_topics"}


def _form_error(form, exc: ServiceError) -> None:
    field = FIELD_NAMES.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _year(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@login_required
def consultation_list(request):
    user = request.user
    year = _year(request)
    form = request.GET.get("form") if request.GET.get("form") in Consultation.Form.values else ""
    status = request.GET.get("status") if request.GET.get("status") in Consultation.Status.values else ""
    todo = "hall" if request.GET.get("todo") == "hall" else ""
    qs = selectors.consultations_for(
        user, year=year, form=form or None, status=status or None, q=request.GET.get("q", ""), todo=todo
    )
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "consultation/list.html",
        {
            "todo": todo,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "year": year,
            "form_value": form,
            "status_value": status,
            "q": request.GET.get("q", ""),
            "forms": Consultation.Form.choices,
            "statuses": Consultation.Status.choices,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
            "can_create": rules.is_consultation_staff(user, user.organisation),
        },
    )


@login_required
def consultation_create(request):
    user = request.user
    if user.organisation is None or not rules.is_consultation_staff(user, user.organisation):
        raise Http404("未找到")
    form = ConsultationForm(request.POST or None, organisation=user.organisation)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        departments, research = d.pop("departments"), d.pop("research_topics")
        try:
            c = services.create(user=user, departments=departments, research_topics=research, **d)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "协商活动已创建。")
            return redirect("consultation:detail", c.pk)
    return render(request, "consultation/form.html", {"form": form, "title": "新建协商活动"})


@login_required
def consultation_edit(request, pk):
    user = request.user
    c = selectors.get_consultation(user, pk)
    if not rules.can_manage(user, c):
        raise Http404("未找到")
    initial = {f: getattr(c, f) for f in services.EDITABLE if f in ConsultationForm.base_fields}
    initial["departments"] = list(c.departments.all())
    initial["research_topics"] = list(c.research_topics.all())
    form = ConsultationForm(request.POST or None, organisation=c.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        departments, research = d.pop("departments"), d.pop("research_topics")
        try:
            services.update(user=user, consultation=c, departments=departments, research_topics=research, **d)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("consultation:detail", c.pk)
    return render(request, "consultation/form.html", {"form": form, "title": f"修改：{c.title}", "c": c})


@login_required
def consultation_detail(request, pk, *, bound=None):
    user = request.user
    c = selectors.get_consultation(user, pk)
    manage = rules.can_manage(user, c)
    bound = bound or {}
    context = {
        "c": c,
        "manage": manage,
        "steps": services.allowed_steps(user, c),
        "step_labels": services.STEP_LABEL,
        "departments": list(c.departments.all()),
        "research_topics": list(c.research_topics.all()),
        "segments": list(c.segments.select_related("member", "attachment")),
        "materials": list(
            Attachment.objects.filter(
                content_type__app_label="consultation",
                content_type__model="consultation",
                object_id=str(c.pk),
                purpose="material",
            ).order_by("id")
        ),
    }
    if manage:
        context.update(
            segment_form=(bound.get("segment") or SegmentForm(consultation=c, user=request.user))
            if c.status in services.SEGMENT_STATES
            else None,
            meeting_form=bound.get("meeting") or MeetingForm(),
            minutes_form=bound.get("minutes") or MinutesForm(initial={"minutes": c.minutes}),
            material_form=bound.get("material") or MaterialForm(),
            step_form=bound.get("step") or StepForm(initial={"held_on": c.held_on or timezone.localdate()}),
        )
    for part in (hall_views, outcome_views):
        panel = getattr(part, "panel_context", None)
        if panel is not None:
            context.update(panel(request, c))
    return render(request, "consultation/detail.html", context, status=400 if bound else 200)


def _act(request, pk, name, run, *, form=None, ok="已完成。"):
    """Run a service for a POSTed form of the page; on an error show the page again with what was typed."""
    user = request.user
    c = selectors.get_consultation(user, pk)
    if form is not None and not form.is_valid():
        return consultation_detail(request, pk, bound={name: form})
    try:
        run(user, c)
    except ServiceError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("consultation:detail", c.pk)
        _form_error(form, exc)
        return consultation_detail(request, pk, bound={name: form})
    messages.success(request, ok)
    return redirect("consultation:detail", c.pk)


@login_required
@require_POST
def consultation_step(request, pk):
    selectors.get_consultation(request.user, pk)
    form = StepForm(request.POST)
    action = request.POST.get("action")
    if action not in services.STEPS:
        messages.error(request, "未知的操作。")
        return redirect("consultation:detail", pk)
    hold = action == "hold"  # 标记为已召开 carries its 协商日期: a wrong one is shown by the field, kept

    def run(user, c):
        held_on = form.cleaned_data["held_on"] if hold else None
        services.step(user=user, consultation=c, action=action, held_on=held_on)

    return _act(
        request, pk, "step", run, form=form if hold else None, ok=f"已{services.STEP_LABEL[action]}。"
    )


@login_required
@require_POST
def consultation_meeting(request, pk):
    form = MeetingForm(request.POST)

    def run(user, c):
        d = form.cleaned_data
        services.create_meeting(
            user=user,
            consultation=c,
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            standing=d["invite"] == "standing",
            everyone=d["invite"] == "everyone",
        )

    return _act(request, pk, "meeting", run, form=form, ok="协商会议已安排，请在会议页面发送通知。")


@login_required
@require_POST
def consultation_segment(request, pk):
    c = selectors.get_consultation(request.user, pk)
    form = SegmentForm(request.POST, request.FILES, consultation=c, user=request.user)

    def run(user, c):
        d = form.cleaned_data
        services.add_segment(user=user, consultation=c, **d)

    return _act(request, pk, "segment", run, form=form, ok="已记录。")


@login_required
@require_POST
def consultation_segment_remove(request, pk, segment_id):
    c = selectors.get_consultation(request.user, pk)
    segment = get_object_or_404(Segment, pk=segment_id, consultation=c)
    return _act(
        request,
        pk,
        "segment",
        lambda user, c: services.remove_segment(user=user, segment=segment),
        ok="已删除。",
    )


@login_required
@require_POST
def consultation_minutes(request, pk):
    form = MinutesForm(request.POST)
    return _act(
        request,
        pk,
        "minutes",
        lambda user, c: services.update(user=user, consultation=c, minutes=form.cleaned_data["minutes"]),
        form=form,
        ok="会议纪要已保存。",
    )


@login_required
@require_POST
def consultation_material(request, pk):
    form = MaterialForm(request.POST, request.FILES)
    return _act(
        request,
        pk,
        "material",
        lambda user, c: services.add_material(user=user, consultation=c, upload=form.cleaned_data["upload"]),
        form=form,
        ok="材料已上传。",
    )


@login_required
def consultation_stats(request):
    user = request.user
    if not (rules.is_reader(user, user.organisation) or rules.is_consultation_staff(user, user.organisation)):
        raise Http404("未找到")
    year = _year(request) or timezone.localdate().year
    if request.GET.get("format") == "xlsx":
        return stats.xlsx_response(user, year)
    return render(request, "consultation/stats.html", {"s": stats.year_stats(user, year), "year": year})


@login_required
def consultation_poster(request, pk, fmt):
    """The QR poster of a consultation's public hall (码上议: citizens scan it to join the 网络议政)."""
    c = selectors.get_consultation(request.user, pk)
    if not c.public or not (
        rules.can_manage(request.user, c) or rules.is_reader(request.user, c.organisation)
    ):
        raise Http404("未找到")
    url = request.build_absolute_uri(reverse("public_consultation:hall", args=[c.organisation.code, c.pk]))
    return posters.poster_response(
        fmt, c.title, f"{c.organisation.name} · 网络议政 · 扫码发表意见建议", url, f"{c.title}二维码"
    )
