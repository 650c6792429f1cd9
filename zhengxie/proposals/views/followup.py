"""跟踪落实 pages: the unit's follow-ups, the office's 台账, one follow-up with its reports and actions.

Thin like views.py: parse, call a service or selector, render. A service error is shown next to the form,
with what was typed kept, and the page answers with the error's status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import ServiceError
from zhengxie.core.redirects import safe_next
from zhengxie.core.views import paginate

from .. import services
from ..exports import followup as exports_followup
from ..forms.followup import ConfirmForm, FollowUpFilterForm, PlanForm, ReportForm
from ..rules import is_proposal_office, is_unit_user
from ..selectors import followup as fs


def _need(cond: bool):
    if not cond:
        raise Http404


@login_required
def ledger(request):
    """B类提案跟踪落实台账 of the proposal office (and, read-only, of the committee's leaders), with filters."""
    _need(fs.can_view_ledger(request.user))
    form = FollowUpFilterForm(request.GET or None, user=request.user)
    page, qs_wo_page = paginate(request, fs.followup_list(request.user, **form.filters()))
    return render(
        request,
        "proposals/followup_list.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "ledger": True,
            "office": is_proposal_office(request.user),
            "query": urlencode(_filter_params(request)),
            "title": "B类提案跟踪落实台账",
            "today": timezone.localdate(),
        },
    )


def _filter_params(request) -> dict:
    """The ledger filters of the query string (what an export of the ledger repeats)."""
    return {k: v for k, v in request.GET.items() if k in FollowUpFilterForm.base_fields and v}


@login_required
@require_POST
def ledger_export(request):
    """The filtered ledger as .xlsx: a small one at once, a big one in the background (progress page,
    audited, owner-only download)."""
    _need(fs.can_view_ledger(request.user))
    return core_exports.respond(request, exports_followup.FOLLOWUP_XLSX, _filter_params(request))


@login_required
def mine(request):
    """跟踪落实 of the user's handling unit: the open ones by default."""
    _need(is_unit_user(request.user))
    status = request.GET.get("status", "open")
    if status not in fs.STATUS_FILTERS and status != "all":
        status = "open"
    # From the workbench: exactly what a to-do card counts.
    todo = request.GET.get("todo", "") if request.GET.get("todo") in fs.UNIT_TODO_LABELS else ""
    if todo:
        status = "all"
    qs = fs.followup_list(request.user, status="" if status == "all" else status)
    if todo:
        qs = qs.filter(fs.unit_todo_q()[todo])
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "proposals/followup_list.html",
        {
            "todo": todo,
            "todo_label": fs.UNIT_TODO_LABELS.get(todo, ""),
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "ledger": False,
            "status": status,
            "title": "跟踪落实",
            "today": timezone.localdate(),
        },
    )


def _page(request, f, forms=None, status=200):
    allowed = fs.followup_actions(request.user, f)
    forms = forms or {}
    ctx = {
        "f": f,
        "p": f.case.proposal,
        "allowed": allowed,
        "reports": list(f.reports.all()),
        "plan_form": forms.get("plan")
        or (PlanForm(initial={"planned_date": f.planned_date}) if "plan" in allowed else None),
        "report_form": forms.get("report") or (ReportForm() if "report" in allowed else None),
        "confirm_form": forms.get("confirm") or (ConfirmForm() if "confirm" in allowed else None),
    }
    return render(request, "proposals/followup_detail.html", ctx, status=status)


@login_required
def detail(request, pk):
    return _page(request, fs.get_followup(request.user, pk))


FORMS = {"plan": PlanForm, "report": ReportForm, "confirm": ConfirmForm}
DONE = {
    "plan": "计划完成时间已保存。",
    "report": "进展情况已报告。",
    "confirm": "已确认。",
    "remind": "已督促承办单位落实。",
}


def _run(user, f, code, d):
    if code == "plan":
        services.followup_set_plan(user=user, followup=f, planned_date=d["planned_date"])
    elif code == "report":
        services.followup_report(
            user=user,
            followup=f,
            content=d["content"],
            done=d["done"],
            planned_date=d["planned_date"],
            attachment=d["attachment"],
        )
    elif code == "confirm":
        services.followup_confirm(user=user, followup=f, accept=d["decision"] == "accept", reason=d["reason"])
    else:
        services.followup_remind(user=user, followup=f)


@login_required
@require_POST
def act(request, pk, code):
    if code not in (*FORMS, "remind"):
        raise Http404
    f = fs.get_followup(request.user, pk)
    form = FORMS[code](request.POST, request.FILES) if code in FORMS else None
    if form is not None and not form.is_valid():
        return _page(request, f, {code: form}, status=422)
    try:
        _run(request.user, f, code, form.cleaned_data if form is not None else {})
    except ServiceError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("proposals:followup", f.pk)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, fs.get_followup(request.user, pk), {code: form}, status=exc.status)
    msg = DONE[code]
    if code == "report" and form.cleaned_data["done"]:
        msg = "已报告落实，等待提案委员会确认。"
    elif code == "confirm" and form.cleaned_data["decision"] == "return":
        msg = "已退回承办单位继续落实。"
    messages.success(request, msg)
    return redirect(safe_next(request, reverse("proposals:followup", args=[f.pk])))
