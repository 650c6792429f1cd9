"""申请加入 pages: a member asks to join a similar proposal (from the hint while typing or from the submit
confirmation page); the first proposer agrees or declines on the proposal page. Thin: parse, call the
service, redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.redirects import safe_next

from .. import services


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def join(request, pk):
    """POST: ask to join proposal `pk`; with draft=delete and draft_id, the member's own draft is deleted too.
    From htmx (the hint while typing) success answers HX-Redirect and a refusal is shown in place."""
    drop = None
    if request.POST.get("draft") == "delete" and (request.POST.get("draft_id") or "").isdigit():
        drop = int(request.POST["draft_id"])
    detail = reverse("proposals:detail", args=[pk])
    try:
        services.proposal_request_join(user=request.user, proposal=pk, drop_draft=drop)
    except ServiceError as exc:
        if _is_htmx(request):
            return HttpResponse(
                format_html('<div class="small text-danger join-error">{}</div>', exc.message)
            )
        messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("proposals:mine")))
    done = "已申请加入，等待第一提案人确认。" + ("您的草稿已删除。" if drop else "")
    messages.success(request, done)
    if _is_htmx(request):
        resp = HttpResponse(status=200)
        resp["HX-Redirect"] = detail
        return resp
    return redirect(detail)


@login_required
@require_POST
def join_decision(request, pk):
    """POST member_id and decision=accept|decline: the first proposer answers a request to join."""
    accept = request.POST.get("decision") == "accept"
    try:
        services.proposal_decide_join(
            user=request.user, proposal=pk, member=request.POST.get("member_id"), accept=accept
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "已同意加入申请，该委员已作为附议人联名。" if accept else "已拒绝加入申请。"
        )
    return redirect("proposals:detail", pk)
