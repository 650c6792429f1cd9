"""The panel the forms show while a draft is typed (htmx): advice and earlier items on the same matter.

    POST /drafting/panel/   kind, title, content | reasons + suggestions, exclude   (logged in)

The form posts itself here after a pause in typing (hx-trigger "input delay:800ms", hx-sync replace: one
request per pause, an older one still running is dropped). The public 微建议 page has its own (posted to the
page itself with action=check: suggestions.views.public)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from zhengxie.core.errors import Forbidden, Invalid

from . import services

FIELD_IDS = {
    "title": "id_title",
    "content": "id_content",
    "reasons": "id_reasons",
    "suggestions": "id_suggestions",
}


def panel_context(result: dict | None, kind: str) -> dict:
    result = result or {"advice": [], "similar": []}
    return {
        "kind": kind,
        "advice": result["advice"],
        "similar": result["similar"],
        "warnings": sum(1 for a in result["advice"] if a["level"] == "warning"),
        "field_ids": FIELD_IDS,
        "noun": services.KIND_LABELS.get(kind, ""),
    }


@login_required
@require_POST
def panel(request):
    kind = request.POST.get("kind", "")
    exclude = request.POST.get("exclude", "")
    data = {k: request.POST.get(k, "") for k in ("title", "content", "reasons", "suggestions")}
    typed = "".join(data.values()).strip()
    result = None
    if typed:
        try:
            result = services.check(
                user=request.user, kind=kind, exclude_id=int(exclude) if exclude.isdigit() else None, **data
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.message)
        except Invalid:
            result = None
    if result and kind == "proposal":
        # The title's own hint (proposals/_similar.html, with 申请加入) lists the similar proposals; the panel adds
        # what became of those that were answered: the reply and how the proposers rated it.
        result["similar"] = [s for s in result["similar"] if s["reply"] or s["rating"]]
    ctx = panel_context(result, kind)
    ctx["typed"] = bool(typed)
    ctx["answered_only"] = kind == "proposal"
    return render(request, "drafting/_panel.html", ctx)
