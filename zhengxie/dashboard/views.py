"""领导驾驶舱: what each app registers for the dashboard (core/dashboard.py), for the 会次 picked."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from zhengxie.core import pickers
from zhengxie.core.dashboard import Period, sections_for
from zhengxie.core.models import Role
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Session

VIEWERS = (Role.LEADER, Role.STAFF, Role.SYSADMIN)


def _session(user, sessions, wanted: str):
    """The session asked for (if in scope), else the current one of the user's committee, else the latest."""
    session = sessions.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if session is None and user.organisation_id:
        committee = user.organisation.committee
        session = sessions.filter(organisation=committee, is_current=True).first()
    return session or sessions.first()


def _sessions(user):
    return (
        Session.objects.filter(org_scope_q(user)).select_related("organisation").order_by("-year", "-number")
    )


def current_session(user):
    """The current 会次 of the user's committee (else the latest in scope): what the workbench's key figures
    count."""
    return _session(user, _sessions(user), "")


@login_required
def index(request):
    user = request.user
    if not user.has_role(*VIEWERS):
        raise Http404
    # core.pickers: a province's ~700 sessions are not all written into the page; a name typed without
    # JavaScript stands for the session it names.
    picker = pickers.standalone("sessions", user)
    session = _session(user, _sessions(user), pickers.resolve(picker, request.GET.get("session", ""))[0])
    period = Period(session=session, year=session.year if session else timezone.localdate().year)
    box = (
        picker.widget.render(
            "session", session.pk, attrs={"class": "form-select form-select-sm", "aria-label": "会次"}
        )
        if session
        else ""
    )
    return render(
        request,
        "dashboard/index.html",
        {"period": period, "session": session, "session_box": box, "sections": sections_for(user, period)},
    )
