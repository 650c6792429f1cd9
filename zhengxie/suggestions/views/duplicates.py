"""一键合并 of a near-duplicate group from the 办公室's moderation queue (the groups: suggestions.duplicates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.search.duplicates import group_form

from .. import rules, services


@login_required
@require_POST
def merge_group(request):
    if not rules.is_public_office(request.user):
        raise Http404
    main, others, reason = group_form(request.POST)
    try:
        s = services.merge_group(user=request.user, main=main, others=others, reason=reason)
    except ServiceError as exc:
        messages.error(request, f"合并未完成：{exc.message}")
    else:
        messages.success(
            request,
            f"已将 {len(others)} 条微建议合并到第{s.pk}号《{s.title}》办理，建议人凭查询码可看到合并后的进展。",
        )
    return redirect("suggestions:queue")
