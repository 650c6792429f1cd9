"""The platform's URLs plus the floors of bench/proposals_server_bench.py: bare views behind the same
middleware, session and login, each doing the query its request cannot avoid on the same database, with
the same visibility (a staff member's: the proposals of the organisations in their subtree, drafts
excepted but their own) and the same order, and answering JSON:

    /bench-floor/proposals/              the list's first page (id, number, title, status) in the list's
                                         order, and its count (common.first_page_floor)
    /bench-floor/proposals/<id>/         one proposal's row (no related rows)
    /bench-floor/proposals/stats/?session=<id>   the session's proposals counted by status (one GROUP BY)
    /bench-floor/touch/proposals/        (not a floor) a new data version for the proposals, as after a
                                         write: the next API list recounts (the bench's "count recomputed")

The organisations of the user's subtree are read first (common.subtree_filter: one short query), as the
other benches' floors do.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404, JsonResponse
from django.urls import path

from bench import common
from zhengxie.urls import urlpatterns as platform_urlpatterns

# The order of selectors.proposal_list without a sort: session (newest first), then number.
LIST_ORDER = ("-session__year", "-session__number", F("number").asc(nulls_last=True), "-created_at", "-id")
PER_PAGE = 20


def _visible(user):
    from zhengxie.proposals.models import Proposal

    mine_or_not_draft = ~Q(status="draft") | Q(author_id=user.pk)
    return Proposal.objects.filter(mine_or_not_draft, **common.subtree_filter(user))


@login_required
def list_floor(request):
    qs = _visible(request.user).order_by(*LIST_ORDER)
    return JsonResponse(common.first_page_floor(qs, PER_PAGE, ("id", "number", "title", "status")))


@login_required
def detail_floor(request, pk: int):
    row = (
        _visible(request.user)
        .filter(pk=pk)
        .values("id", "number", "title", "status", "reasons", "suggestions", "category", "deadline")
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row)


@login_required
def stats_floor(request):
    qs = _visible(request.user).filter(session_id=int(request.GET["session"]))
    rows = qs.values("status").annotate(n=Count("id")).order_by("status")
    return JsonResponse({"by_status": list(rows)})


@login_required
def touch(request):
    """Not a floor: a new data version for the proposals, as any committed write gives (core.datacache), so
    that the bench can time the API list whose kept count must be recomputed."""
    from zhengxie.core import datacache

    datacache.bump("proposals")
    return JsonResponse({"bumped": "proposals"})


urlpatterns = [
    path("bench-floor/touch/proposals/", touch),
    path("bench-floor/proposals/", list_floor),
    path("bench-floor/proposals/<int:pk>/", detail_floor),
    path("bench-floor/proposals/stats/", stats_floor),
    *platform_urlpatterns,
]
