"""The suggestion card (htmx): loaded beside the 立案审查/交办 form, the 社情民意 处理 panel and the 微建议
交办 form; 采用 records the click and tells the page (HX-Trigger "routing-fill") what to put in the form."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zhengxie.core.errors import Forbidden

from . import services


def _card(request, kind, pk, *, adopted=False):
    if kind not in services.SOURCES:
        raise Http404
    try:
        if adopted:
            sug = services.adopt(user=request.user, kind=kind, item=pk)
        else:
            sug = services.suggest(user=request.user, kind=kind, item=pk)
    except Forbidden as exc:
        raise PermissionDenied(str(exc))
    ctx = {"s": sug, "kind": kind, "pk": pk, "adopted": adopted, "label": services.SOURCES[kind].label}
    resp = render(request, "routing/_card.html", ctx)
    if adopted:
        units = sug["units"][:1] + [u for u in sug["units"][1:] if u["score"] >= services.CO_UNIT_SCORE]
        fill = {"category": sug["category"], "units": [u["id"] for u in units]}
        resp["HX-Trigger"] = json.dumps({"routing-fill": fill})
    return resp


@login_required
def card(request, kind, pk):
    return _card(request, kind, pk)


@login_required
@require_POST
def adopt(request, kind, pk):
    return _card(request, kind, pk, adopted=True)
