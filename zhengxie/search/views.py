"""The one search box (issue 15): /search/?q=… across what the user may see (everywhere.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import everywhere


@login_required
def search_page(request):
    q = request.GET.get("q", "").strip()
    sections = everywhere.search(request.user, q)
    return render(
        request,
        "search/everywhere.html",
        {
            "q": q[: everywhere.MAX_QUERY],
            "sections": sections,
            "total": sum(len(s.hits) for s in sections),
        },
    )
