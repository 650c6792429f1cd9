"""The 社情民意 statistics page (/opinions/stats/) and its .xlsx export (through core.exports and its
progress page). 信息科 staff, leaders and administrators; 404 for everybody else."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import Invalid

from ..rules import is_info_office
from . import charts, check_year, may_view, organisation_for, organisations, year_report, years
from .export import KIND, title_for

YEAR_END_SHOWN = 50


def _need(cond: bool) -> None:
    if not cond:
        raise Http404("未找到")


def _year(value) -> int:
    try:
        return check_year(value)
    except Invalid:
        raise Http404("未找到")


@login_required
def stats_page(request):
    user = request.user
    _need(may_view(user))
    report = year_report(user, _year(request.GET.get("year")), request.GET.get("organisation") or None)
    # The year-end list can hold every member (500 rows, most of the page's time): its head unless asked.
    everyone = request.GET.get("all") == "1"
    year_end = report["year_end"] if everyone else report["year_end"][:YEAR_END_SHOWN]
    choices = years()
    if report["year"] not in choices:
        choices = sorted({*choices, report["year"]}, reverse=True)
    return render(
        request,
        "opinions/stats.html",
        {
            "r": report,
            "f": report["figures"],
            "org": report["organisation"],
            "years": choices,
            "organisations": organisations(user),
            "info_office": is_info_office(user),
            "year_end": year_end,
            "year_end_more": len(year_end) < len(report["year_end"]),
            "month_chart": charts.month_option(report),
            "level_chart": charts.level_option(report),
            "category_chart": charts.category_option(report),
            "sector_chart": charts.sector_option(report),
        },
    )


@login_required
@require_POST
def stats_export(request):
    user = request.user
    _need(core_exports.may_start(user, KIND))
    org = organisation_for(user, request.POST.get("organisation") or None)
    year = _year(request.POST.get("year"))
    return core_exports.respond(
        request,
        KIND,
        {"year": year, "organisation": org.pk},
        title=f"{title_for({'organisation': org, 'year': year})}（.xlsx）",
    )
