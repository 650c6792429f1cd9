"""本会提案 (issue 15): a member browses the accepted (立案) proposals of their own committee — to learn
from them, to see what is already being handled before drafting, and to follow how units answer."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import render

from zhengxie.core import orgsettings
from zhengxie.core.views import paginate
from zhengxie.members.models import Session

from .. import selectors
from ..rules import member_of
from ..workflow import ACCEPTED_OR_LATER


@login_required
def accepted(request):
    member = member_of(request.user)
    if member is None:
        raise Http404
    g = request.GET
    q = g.get("q", "").strip()[:50]
    sessions = list(
        Session.objects.filter(organisation_id=member.organisation_id).order_by("-year", "-number")
    )
    session = next((s for s in sessions if str(s.pk) == g.get("session")), None)
    categories = list(orgsettings.get(member.organisation, "proposals.categories"))
    category = g.get("category") if g.get("category") in categories else ""
    qs = selectors.proposal_list(
        request.user, status=list(ACCEPTED_OR_LATER), q=q, session=session, category=category or None
    ).filter(organisation_id=member.organisation_id)
    if not q:  # newest first (a search keeps its ranking)
        qs = qs.order_by("-session__year", "-session__number", F("number").desc(nulls_last=True), "-id")
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "proposals/accepted.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "q": q,
            "sessions": sessions,
            "session": session,
            "categories": categories,
            "category": category,
        },
    )
