"""Reads of 协商议事, scoped to what the user may see, with a constant number of queries."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.selectors import member_of

from . import rules
from .models import Consultation


def committee_q(organisation, field: str = "organisation") -> Q:
    """A committee's own rows and its liaison groups' (a 乡镇's 有事好商量 is the county's work)."""
    return Q(**{f"{field}_id": organisation.pk}) | Q(
        **{
            f"{field}__path__startswith": organisation.path,
            f"{field}__depth": organisation.depth + 1,
            f"{field}__kind": Organisation.Kind.LIAISON,
        }
    )


def open_halls(member):
    """The online halls (网络议政 in its window) of the member's committee: the member's to-do and the
    list's ?todo=hall."""
    now = timezone.now()
    return Consultation.objects.filter(
        committee_q(member.organisation),
        status=Consultation.Status.OPEN,
        opens_at__lte=now,
        closes_at__gt=now,
    )


def visible_q(user) -> Q:
    """The consultations this user may see (rules.can_view, as one filter): readers and staff their
    organisation's subtree; members their own committee's (and its liaison groups'); units those they attend."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if user.has_role(*rules.READERS) or rules.is_consultation_staff(user):
        q |= org_scope_q(user)
    member = member_of(user)
    if member is not None:
        q |= committee_q(member.organisation)
    if user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD) and user.handling_unit_id:
        q |= Q(departments=user.handling_unit_id) | Q(
            outcome__recommendations__unit_id=user.handling_unit_id,
            outcome__recommendations__case__isnull=False,
        )
    return q


def consultations_for(user, *, year=None, form=None, status=None, q="", todo=""):
    """The consultations the user may see; `todo="hall"`: only the open halls of the member's to-do."""
    qs = Consultation.objects.filter(visible_q(user))
    if todo == "hall":
        member = member_of(user)
        qs = qs.filter(pk__in=open_halls(member).values("pk")) if member else qs.none()
    if year:
        qs = qs.filter(year=year)
    if form:
        qs = qs.filter(form=form)
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    if user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD):
        qs = qs.distinct()  # the departments join may repeat a row
    return qs.select_related("organisation", "lead_committee", "leader").order_by(
        "-year", "planned_month", "-id"
    )


def get_consultation(user, pk) -> Consultation:
    """The consultation if the user may see it, else 404 (never 403: its existence is not revealed)."""
    c = (
        Consultation.objects.select_related(
            "organisation", "lead_committee", "leader", "topic", "meeting", "studio"
        )
        .filter(pk=pk)
        .first()
    )
    if c is None or not rules.can_view(user, c):
        raise NotFound("未找到该协商活动。")
    return c


def meeting_origin(user, meeting):
    """The consultation a 协商会议 belongs to, as the meeting page's link back (None when the user may not
    see it: a member of another committee invited to the meeting)."""
    from django.urls import reverse

    from zhengxie.activities.origins import Origin

    c = Consultation.objects.select_related("organisation").filter(meeting_id=meeting.pk).first()
    if c is None or not rules.can_view(user, c):
        return None
    return Origin("协商活动", c.title, reverse("consultation:detail", args=[c.pk]))
