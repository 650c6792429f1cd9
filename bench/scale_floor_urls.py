"""The platform's URLs plus the floors of the province benchmark (bench/scale_bench.py): bare views behind
the same middleware and login, each doing the one query its page or list cannot avoid and answering JSON.

    /bench-floor/snapshots/?org=<id>&year=<y>&below=0|1   the stored figures a year page (this year and
                                                         last) or a table of the committees below reads
    /bench-floor/proposals/    first page + count of the proposals in the user's subtree
    /bench-floor/opinions/     first page + count of the 社情民意 items in the user's subtree
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path

from zhengxie.urls import urlpatterns as platform_urlpatterns


def _subtree(user):
    from zhengxie.core.models import Organisation

    return list(
        Organisation.objects.filter(path__startswith=user.organisation.path).values_list("pk", flat=True)
    )


@login_required
def snapshots_floor(request):
    from zhengxie.core.models import Organisation
    from zhengxie.yearbook.models import Snapshot

    org = Organisation.objects.get(pk=int(request.GET["org"]))
    year = int(request.GET["year"])
    if request.GET.get("below") == "1":
        below = Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).exclude(
            kind="liaison"
        )
        rows = Snapshot.objects.filter(organisation__in=below, year=year)
    else:
        rows = Snapshot.objects.filter(organisation=org, year__in=(year, year - 1))
    return JsonResponse({"rows": list(rows.values("organisation_id", "year", "parts"))})


def _first_page(qs):
    return {"count": qs.count(), "rows": list(qs.order_by("-id").values("id", "title", "status")[:20])}


@login_required
def proposals_floor(request):
    from zhengxie.proposals.models import Proposal

    return JsonResponse(_first_page(Proposal.objects.filter(organisation_id__in=_subtree(request.user))))


@login_required
def opinions_floor(request):
    from zhengxie.opinions.models import Opinion

    qs = Opinion.objects.filter(organisation_id__in=_subtree(request.user)).exclude(status="draft")
    return JsonResponse(_first_page(qs))


urlpatterns = [
    path("bench-floor/snapshots/", snapshots_floor),
    path("bench-floor/proposals/", proposals_floor),
    path("bench-floor/opinions/", opinions_floor),
    *platform_urlpatterns,
]
