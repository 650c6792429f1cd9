"""一键合并 of a near-duplicate group from the 信息工作台 (the groups: opinions.duplicates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.search.duplicates import group_form

from .. import rules as r
from .. import services
from .common import need


@login_required
@require_POST
def merge_group(request):
    need(r.is_info_office(request.user))
    main, others, reason = group_form(request.POST)
    try:
        o = services.opinion_merge_group(user=request.user, main=main, others=others, reason=reason)
    except ServiceError as exc:
        messages.error(request, f"合并未完成：{exc.message}")
    else:
        messages.success(request, f"已将 {len(others)} 篇信息合并到《{o.display_title}》，作者均已收到通知。")
    return redirect("opinions:queue")
