"""委员名录 (issue 15): members see the roster of their fellow members — who sits in which 界别 and 专委会,
to find co-signers and colleagues. Only what a CPPCC publishes of its members: name, 界别, 党派, 政协职务,
工作单位及职务, 专委会, 联络组. Never a phone number, ID number, address or birth date (the template has no
such column and the selector's rows are rendered field by field)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from zhengxie.core.models import Role
from zhengxie.core.views import paginate

from . import selectors
from .models import Member


@login_required
def directory(request):
    user = request.user
    if not user.has_role(Role.MEMBER):
        raise Http404
    g = request.GET
    q = g.get("q", "").strip()[:40]
    sectors = list(selectors.sectors(user, organisation=user.organisation))
    committees = list(selectors.committees(user, organisation=user.organisation))
    sector = next((s for s in sectors if str(s.pk) == g.get("sector")), None)
    committee = next((c for c in committees if str(c.pk) == g.get("committee")), None)
    qs = selectors.member_directory(
        user,
        q=q,
        sector=sector.pk if sector else None,
        committee=committee.pk if committee else None,
        status=Member.Status.ACTIVE,
    )
    page, qs_wo_page = paginate(request, qs, per_page=30)
    return render(
        request,
        "members/directory.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "q": q,
            "sectors": sectors,
            "committees": committees,
            "sector": sector,
            "committee": committee,
        },
    )
