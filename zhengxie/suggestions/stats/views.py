"""The 微建议 statistics page (/suggestions/stats/) and its .xlsx export (core.exports' progress page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import Invalid

from . import check_year, may_view, month_option, organisation_for, percent, status_option, year_report
from .export import KIND


def _year(value) -> int:
    try:
        return check_year(value)
    except Invalid:
        raise Http404("未找到")


@login_required
def stats_page(request):
    user = request.user
    if not may_view(user):
        raise Http404("未找到")
    org = organisation_for(user, request.GET.get("organisation") or None)
    report = year_report(org, _year(request.GET.get("year")))
    this = timezone.localdate().year
    return render(
        request,
        "suggestions/stats.html",
        {
            "r": report,
            "f": report["figures"],
            "satisfaction": percent(report["figures"]["satisfaction"]),
            "org": org,
            "years": list(range(this, this - 6, -1)),
            "month_chart": month_option(report),
            "status_chart": status_option(report),
        },
    )


@login_required
@require_POST
def stats_export(request):
    user = request.user
    if not core_exports.may_start(user, KIND):
        raise Http404("未找到")
    org = organisation_for(user, request.POST.get("organisation") or None)
    year = _year(request.POST.get("year"))
    return core_exports.respond(
        request, KIND, {"year": year, "organisation": org.pk}, title=f"{org.name}{year}年微建议统计（.xlsx）"
    )
