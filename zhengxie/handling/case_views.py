"""The case page of kinds without a workflow of their own (services.flow): /handling/cases/<id>/ shows the
case and the forms the user may use now; /handling/cases/<id>/<action>/ runs one (签收, 答复, 答复函, 评价,
延期, 申请调整, 审核调整申请, 记录沟通). Thin: parse, call the service, render; a form with errors comes back with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.redirects import safe_next

from . import case_selectors, forms, kinds
from .services import flow, signoff

# --- the case page of kinds without a workflow of their own (services.flow) ----------------------------------

FLOW_FORMS = {
    "reply": forms.ReplyForm,
    "attach_letter": forms.LetterForm,
    "rate": forms.RateForm,
    "extend": forms.ExtendForm,
    "sign": forms.SignForm,
    "request_change": forms.RequestChangeForm,
    "decide_change": forms.DecideChangeForm,
    "record_contact": forms.ContactForm,
}
DONE = {
    "acknowledge": "已签收。",
    "reply": "已答复。",
    "attach_letter": "已上传{file}。",
    "rate": "已提交评价。",
    "extend": "已延期。",
    "sign": "已处理答复稿。",
    "request_change": "已提交调整申请，等待{office}审核。",
    "decide_change": "已审核调整申请。",
    "record_contact": "已记录沟通情况。",
}


def _files(data: dict):
    """The reply's file: the one letter, or the kind's several files (forms.ReplyFilesMixin)."""
    return data.get("files") if "files" in data else data.get("letter")


def _run(action, user, case, data: dict):
    if action == "acknowledge":
        return flow.acknowledge(user=user, case=case)
    if action == "reply":
        return flow.reply(
            user=user,
            case=case,
            content=data.get("content", ""),
            letter=_files(data),
            result_class=data.get("result_class", ""),
        )
    if action == "attach_letter":
        return flow.attach_letter(user=user, case=case, upload=_files(data))
    if action == "rate":
        return flow.rate(user=user, case=case, rating=data.get("rating", ""), comment=data.get("comment", ""))
    if action == "sign":
        return flow.sign(
            user=user, case=case, decision=data.get("decision", ""), reason=data.get("reason", "")
        )
    if action == "request_change":
        return flow.request_change(user=user, case=case, reason=data.get("reason", ""))
    if action == "decide_change":
        return flow.decide_change(
            user=user,
            case=case,
            grant=bool(data.get("grant")),
            note=data.get("note", ""),
            new_unit=data.get("new_unit") or None,
        )
    if action == "record_contact":
        return flow.record_contact(
            user=user,
            case=case,
            contacted_on=data.get("contacted_on", ""),
            method=data.get("method", ""),
            summary=data.get("summary", ""),
        )
    return flow.extend(
        user=user, case=case, new_deadline=data.get("new_deadline", ""), reason=data.get("reason", "")
    )


def _case_page(request, case, bound=None, status=200):
    case_selectors.with_rows(case)
    c = case_selectors.view(case, request.user)
    shown = {}
    for action, Form in FLOW_FORMS.items():
        if bound and action in bound:
            shown[action] = bound[action]
        elif action in c["actions"]:
            # A returned draft comes back into the reply form, to be edited and submitted again.
            draft = c["signoff"] if action == "reply" else None
            initial = {"content": draft["content"], "result_class": draft["result_class"]} if draft else None
            shown[action] = Form(case=case, initial=initial)
    return render(
        request,
        "handling/case.html",
        {"case": case, "c": c, "forms": shown, "actions": c["actions"]},
        status=status,
    )


def _flow_case(request, case_id):
    case = case_selectors.get_case(request.user, case_id)
    if not flow.is_flow(case):
        raise Http404("未找到")
    return case


@login_required
def case(request, case_id: int):
    """One routed item of a kind without a workflow of its own: what it is, where it came from, the unit,
    deadline and light, the replies with letters, the ratings, the timeline, and the forms the user may
    use now. Another kind's case leads to its item's own page."""
    c = case_selectors.get_case(request.user, case_id)
    if not flow.is_flow(c):
        url = kinds.get(c.kind).url(c)
        if not url:
            raise Http404("未找到")
        return redirect(url)
    return _case_page(request, c)


def _next(request, case) -> str:
    return safe_next(request, reverse("handling:case", args=[case.pk]))


@login_required
@require_POST
def case_action(request, case_id: int, action: str):
    """签收 (a button, also on the inbox rows, back to `next`), 答复, 答复函, 评价, 延期, 申请调整 and its
    审核, 沟通."""
    if action != "acknowledge" and action not in FLOW_FORMS:
        raise Http404("未找到")
    case = _flow_case(request, case_id)
    if action == "acknowledge":
        try:
            _run(action, request.user, case, {})
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, DONE[action])
        return redirect(_next(request, case))
    form = FLOW_FORMS[action](request.POST, request.FILES, case=case)
    status = 422
    if form.is_valid():
        kind = kinds.get(case.kind)
        done = DONE[action].format(file=kind.reply_file_label, office=kind.office_label)
        if action == "reply" and signoff.drafts_instead(request.user, case):
            done = "答复稿已提交，等待单位负责人签发。"
        elif action == "sign":
            done = (
                "已签发，已请评价人评价。"
                if form.cleaned_data["decision"] == signoff.SIGN
                else "已退回修改。"
            )
        try:
            _run(action, request.user, case, form.cleaned_data)
        except ServiceError as exc:
            forms.service_error(form, exc)
            status = exc.status
        else:
            messages.success(request, done)
            return redirect(reverse("handling:case", args=[case.pk]))
    return _case_page(request, case, {action: form}, status)
