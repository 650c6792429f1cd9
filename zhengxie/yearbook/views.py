"""年度工作数据: a committee's year (every module's figures with definitions, last year beside them, the
work report's sentences, monthly charts), the committees one level down side by side, and the exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.documents import file_response
from zhengxie.core.errors import ServiceError
from zhengxie.core.permissions import acts_in

from . import documents, services, tables


def _committee_and_year(request, source=None):
    source = source if source is not None else request.GET
    try:
        committee = services.committee_for(request.user, source.get("org") or None)
        year = services.check_year(source.get("year"))
    except ServiceError as exc:
        raise Http404(exc.message) from None
    return committee, year


def _wall(request) -> bool:
    """?wall=1: the 大屏 (wall screen) of the page — its own full-screen dark template, reloading itself."""
    return request.GET.get("wall") == "1"


@login_required
def year_page(request):
    committee, year = _committee_and_year(request)
    snap, prev = services.year_with_last(committee, year)
    own = acts_in(request.user, committee)
    ctx = {
        "committee": committee,
        "year": year,
        "years": list(range(timezone.localdate().year, services.FIRST_YEAR - 1, -1))[:8],
        "snap": snap,
        "parts": tables.compare(snap.parts, prev.parts, links=own),
        "sentences": [p["sentence"] for p in snap.parts if p["sentence"]],
        "charts": tables.month_charts(snap.parts, year),
        "own": own,
        "below": services.committees_below(committee),
        "can_recount": own and services.may_recount(request.user),
    }
    ctx["query"] = f"org={committee.pk}&year={year}"
    if _wall(request):
        ctx["tiles"] = tables.headlines(ctx["parts"])
        return render(request, "yearbook/wall.html", ctx)
    return render(request, "yearbook/year.html", ctx)


@login_required
def levels_page(request):
    committee, year = _committee_and_year(request)
    below = services.committees_below(committee)
    snaps = services.snapshots(below, year, recount_stale=False) if below else {}
    key = request.GET.get("figure") or ""
    table = tables.levels(below, snaps, key)
    table = tables.sort(table, request.GET.get("sort", "")[:80], request.GET.get("dir", ""))
    query = f"org={committee.pk}&year={year}"
    ctx = {
        "committee": committee,
        "year": year,
        "years": list(range(timezone.localdate().year, services.FIRST_YEAR - 1, -1))[:8],
        "table": table,
        "ranking_chart": tables.ranking_chart(table),
        "query": query,
        # the figure and the sort, kept by the 大屏 link and its way back
        "view_query": f"{query}&figure={table['chosen']}"
        + (f"&sort={table['sort']}&dir={table['dir']}" if table["sort"] else ""),
    }
    if _wall(request):
        ctx.update(tiles=tables.total_tiles(table), key=tables.key_table(table))
        return render(request, "yearbook/levels_wall.html", ctx)
    return render(request, "yearbook/levels.html", ctx)


@login_required
@require_POST
def recount(request):
    committee, year = _committee_and_year(request, request.POST)
    try:
        services.recount(request.user, committee, year)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新统计。")
    return redirect(reverse("yearbook:year") + f"?org={committee.pk}&year={year}")


@login_required
def export_xlsx(request):
    committee, year = _committee_and_year(request)
    snap, prev = services.year_with_last(committee, year)
    body = documents.xlsx(committee, year, snap, prev)
    return file_response(body, f"{committee.name}{year}年度工作数据.xlsx", documents.XLSX)


@login_required
def export_docx(request):
    committee, year = _committee_and_year(request)
    snap, prev = services.year_with_last(committee, year)
    body = documents.docx(committee, year, snap, prev)
    return file_response(body, f"{committee.name}{year}年度工作数据.docx", documents.DOCX)
