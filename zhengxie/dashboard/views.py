"""领导驾驶舱: the current session's proposals at a glance (figures, charts, red lights, key proposals)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from zhengxie.core.models import Role
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Session
from zhengxie.proposals import selectors, stats
from zhengxie.proposals.forms import current_session
from zhengxie.proposals.lights import HANDLING_STATES

VIEWERS = (Role.LEADER, Role.STAFF, Role.SYSADMIN)


@login_required
def index(request):
    user = request.user
    if not user.has_role(*VIEWERS):
        raise Http404
    sessions = Session.objects.filter(org_scope_q(user)).order_by("-year", "-number")
    wanted = request.GET.get("session", "")
    session = sessions.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if session is None:
        cur = current_session(user)
        session = sessions.filter(pk=cur.pk).first() if cur else sessions.first()
    if session is None:
        raise Http404
    s = stats.session_stats(user, session)
    counts = stats.status_counts(user, session)
    visible = selectors.visible_proposals(user).filter(session=session)
    red = list(
        selectors.list_prefetch(visible.filter(status__in=HANDLING_STATES, light="red")).order_by(
            "deadline", "id"
        )[:10]
    )
    key = list(selectors.list_prefetch(visible.filter(is_key=True)).order_by("number", "id")[:10])
    return render(
        request,
        "dashboard/index.html",
        {
            "s": s,
            "t": s["totals"],
            "session": session,
            "sessions": sessions,
            "red": red,
            "key": key,
            "status_bar": stats.status_bar_option(counts),
            "light_pie": stats.light_pie_option(s["totals"]),
            "unit_bar": stats.unit_bar_option(s, limit=12),
            "category_pie": stats.category_pie_option(s),
            "class_pie": stats.class_pie_option(s),
        },
    )
