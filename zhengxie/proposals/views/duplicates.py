"""一键并案 of a near-duplicate group from the review queue (the groups: proposals.duplicates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.search.duplicates import group_form

from .. import services
from ..rules import is_proposal_office
from . import _need


@login_required
@require_POST
def merge_group(request):
    _need(is_proposal_office(request.user))
    main, others, reason = group_form(request.POST)
    try:
        p = services.proposal_merge_group(user=request.user, main=main, others=others, reason=reason)
    except ServiceError as exc:
        messages.error(request, f"并案未完成：{exc.message}")
    else:
        messages.success(request, f"已将 {len(others)} 件提案并入《{p.title}》，提案人随案合并并已收到通知。")
    return redirect("proposals:review_queue")
