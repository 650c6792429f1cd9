"""The 热点 pages: the board (chart of the hottest, the list with kinds, trend and change; filters by
committee, period and kinds; 重新计算 with its progress), a hot topic's page with its items and
作为协商选题."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError

from . import selectors, services, sources
from .models import Run


def _filters(data) -> dict:
    return {
        "organisation": data.get("organisation") or None,
        "period": data.get("period") or None,
        "date_from": data.get("from") or None,
        "date_to": data.get("to") or None,
        "kinds": data.getlist("kinds") if hasattr(data, "getlist") else data.get("kinds"),
    }


def _query(f: dict) -> str:
    q = [(k, v) for k, v in (("organisation", f["organisation"]), ("period", f["period"])) if v]
    if f["period"] == Run.Period.CUSTOM or (not f["period"] and (f["date_from"] or f["date_to"])):
        q += [(k, v) for k, v in (("from", f["date_from"]), ("to", f["date_to"])) if v]
    q += [("kinds", k) for k in f["kinds"] or []]
    return urlencode(q)


@login_required
def board(request):
    if not services.may_view(request.user):
        raise Http404("未找到")
    f = _filters(request.GET)
    error = None
    try:
        b = selectors.board(request.user, **f)
    except ServiceError as exc:
        error = exc
        b = selectors.board(request.user, organisation=f["organisation"])
    return render(
        request,
        "hottopics/board.html",
        {
            "b": b,
            "f": f,
            "error": error,
            "kinds": sources.KINDS,
            "periods": Run.Period.choices,
            "organisations": services.organisations_for(request.user),
            "chart": selectors.chart_option(b.topics),
            "query": _query(f),
        },
    )


@login_required
def detail(request, pk):
    ht = services.get_hot_topic(request.user, pk)
    from zhengxie.consultation import rules as consultation_rules

    items = services.item_rows(request.user, ht)
    return render(
        request,
        "hottopics/detail.html",
        {
            "ht": ht,
            "items": items,
            "hidden": max(0, min(ht.size, services.ITEMS_KEPT) - len(items)),
            "kind_labels": [(sources.KINDS[k], n) for k, n in ht.counts.items()],
            "chart": selectors.trend_option(ht),
            "may_topic": consultation_rules.is_consultation_staff(request.user, ht.organisation),
        },
    )


@login_required
@require_POST
def recompute(request):
    f = _filters(request.POST)
    try:
        org = services.organisation_for(request.user, f["organisation"])
        run = services.request_recompute(
            user=request.user,
            organisation=org,
            period=f["period"],
            date_from=f["date_from"],
            date_to=f["date_to"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if run.status == Run.Status.DONE:
            messages.success(request, "热点已重新计算。")
        else:
            messages.info(request, "已开始重新计算热点，完成后本页自动刷新。")
    return redirect(reverse("hottopics:board") + ("?" + _query(f) if _query(f) else ""))


@login_required
def run_progress(request, pk):
    """A run's progress (the board polls this fragment with htmx; done: the page reloads)."""
    run = Run.objects.select_related("organisation").filter(pk=pk).first()
    if run is None or not services.may_view(request.user, run.organisation):
        raise Http404("未找到")
    resp = render(request, "hottopics/_progress.html", {"run": run})
    if run.status == Run.Status.DONE and request.headers.get("HX-Request"):
        resp["HX-Refresh"] = "true"
    return resp


@login_required
@require_POST
def to_topic(request, pk):
    ht = services.get_hot_topic(request.user, pk)
    try:
        t = services.to_topic(user=request.user, hot_topic=ht, title=request.POST.get("title"))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("hottopics:detail", pk=ht.pk)
    messages.success(request, f"已将热点“{ht.label}”作为候选协商议题，可在协商选题中归类排序。")
    return redirect("consultation:topic", pk=t.pk)
