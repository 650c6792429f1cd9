"""换班 pages: a studio's swaps (its readers: all, the 办公室 approves agreed ones where the studio's rule
requires it; its members: their own), a member asking from 我的工作室, and the answers (accept, decline,
cancel, approve, refuse) posted from either page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from .. import rules as r
from .. import selectors, services
from ..models import DutySwap
from .common import fail, need, run_action

ACTIONS = {
    "accept": ("已接受换班。", lambda u, w, p: services.swap_accept(user=u, swap=w)),
    "decline": (
        "已婉拒换班。",
        lambda u, w, p: services.swap_decline(user=u, swap=w, reason=p.get("reason", "")),
    ),
    "cancel": ("换班申请已撤回。", lambda u, w, p: services.swap_cancel(user=u, swap=w)),
    "approve": (
        "已批准换班，排班已更新。",
        lambda u, w, p: services.swap_decide(user=u, swap=w, approve=True, reason=p.get("reason", "")),
    ),
    "refuse": (
        "已驳回换班申请。",
        lambda u, w, p: services.swap_decide(user=u, swap=w, approve=False, reason=p.get("reason", "")),
    ),
}


@login_required
def studio_swaps(request, pk):
    user = request.user
    status = request.GET.get("status", "")
    if status not in DutySwap.Status.values:
        status = ""
    s, qs = selectors.swaps_of_studio(user, pk, status=status)
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "studios/swaps.html",
        {
            "studio": s,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "status": status,
            "statuses": DutySwap.Status.choices,
            "is_office": r.can_manage_studio(user, s),
            "my_member_id": r.own_member_id(user),
        },
    )


@login_required
@require_POST
def swap_ask(request, pk):
    user = request.user
    x = selectors.duty_slot_for(user, pk)
    try:
        services.swap_ask(
            user=user,
            slot=x,
            with_member=request.POST.get("with_member"),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(request, "换班申请已发出，等待对方确认。")
    return redirect("studios:mine")


@login_required
@require_POST
def swap_action(request, pk, action):
    user = request.user
    need(action in ACTIONS)
    w = selectors.swap_for(user, pk)
    run_action(request, ACTIONS, action, w)
    if request.POST.get("back") == "studio":
        return redirect(reverse("studios:swaps", args=[w.studio_id]))
    return redirect("studios:mine")
