"""批量立案 from the review queue (issue 15): tick proposals (全选本页), confirm, and each is accepted through
the single 立案 service; the page comes back saying which were accepted (with their numbers) and which could
not be and why. 立案并交办 goes on to 打包交办 with the accepted ones ticked."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.redirects import safe_next

from .. import services
from ..rules import is_proposal_office
from . import _need

SHOWN = 10  # accepted proposals named in the message; the rest are counted


def accepted_message(accepted) -> str:
    names = "；".join(f"{p.number_label}《{p.title}》" for p in accepted[:SHOWN])
    more = f"等（另 {len(accepted) - SHOWN} 件）" if len(accepted) > SHOWN else ""
    return f"已立案 {len(accepted)} 件：{names}{more}。"


def refused_messages(refused) -> list[str]:
    return [
        f"未能立案{f'《{title}》' if title else f'（编号 {pk}）'}：{why}" for pk, title, why, _ in refused
    ]


@login_required
@require_POST
def review_batch(request):
    _need(is_proposal_office(request.user))
    back = safe_next(request, reverse("proposals:review_queue"))
    then_assign = request.POST.get("do") == "accept_assign"
    try:
        done = services.proposals_accept_batch(
            user=request.user, proposals=request.POST.getlist("ids"), note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        messages.error(request, f"批量立案未进行：{exc.message}")
        return redirect(back)
    if done["accepted"]:
        messages.success(request, accepted_message(done["accepted"]))
    for text in refused_messages(done["refused"]):
        messages.warning(request, text)
    if then_assign and done["accepted"]:
        messages.info(request, "已勾选刚立案的提案，请选择主办单位（及会办单位）一并交办。")
        ids = ",".join(str(p.pk) for p in done["accepted"])
        return redirect(reverse("proposals:batch_assign") + "?" + urlencode({"ids": ids}))
    return redirect(back)
