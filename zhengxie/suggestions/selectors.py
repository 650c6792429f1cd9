"""Reads of 微建议, scoped to what the user may see, with a constant number of queries."""

from __future__ import annotations

from django.db.models import Q

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Organisation
from zhengxie.core.permissions import org_scope_q

from . import rules
from .models import Suggestion

S = Suggestion.Status
LIST_FIELDS = (
    "id",
    "organisation_id",
    "organisation__name",
    "organisation__short_name",
    "studio_id",
    "studio__name",
    "routed_label",
    "title",
    "status",
    "routed_to",
    "reply_by_label",
    "deadline",
    "created_at",
    "published",
    "case_id",
)


def staff_list(user, *, status=None, q="", organisation=None):
    """The suggestions of the user's organisation and those below (staff, leaders, administrators), newest
    first; `status` one or several; `q` in the title or the tracking code."""
    if not rules.is_reader(user):
        return Suggestion.objects.none()
    qs = Suggestion.objects.filter(org_scope_q(user))
    if organisation is not None:
        qs = qs.filter(organisation_id=getattr(organisation, "pk", organisation))
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(tracking_code=q.upper()) | Q(pk=int(q) if q.isdigit() else 0)
        )
    return qs.select_related("organisation", "studio").only(*LIST_FIELDS).order_by("-id")


def studio_list(user, *, status=None):
    """What the studios the user is a member of were asked to answer."""
    ids = rules.studio_ids(user)
    qs = Suggestion.objects.filter(studio_id__in=ids, routed_to=Suggestion.RoutedTo.STUDIO)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organisation", "studio").only(*LIST_FIELDS).order_by("-id")


def get(user, pk) -> Suggestion:
    s = None
    if str(pk).isdigit():
        s = (
            Suggestion.objects.select_related("organisation", "studio", "case", "duplicate_of")
            .filter(pk=int(pk))
            .first()
        )
    if s is None or not rules.can_view(user, s):
        raise NotFound("未找到该微建议。")
    return s


def allowed_actions(user, s: Suggestion) -> list[str]:
    """What the user may do on the suggestion now (the page's forms, the API's `actions`); the services
    check the same."""
    out = []
    office = rules.can_moderate(user, s)
    if office and s.status == S.RECEIVED:
        out.append("moderate")
    if office and s.status in (S.RECEIVED, S.ACCEPTED):
        out.append("route")
    if s.status == S.ROUTED and s.routed_to == Suggestion.RoutedTo.STUDIO and rules.can_reply_studio(user, s):
        out.append("reply")
    if office and s.status in (S.REPLIED, S.CLOSED):
        out.append("publish")
    return out


def published(organisation_id):
    """Published answers of an organisation, newest first (title, content and the chosen answer only)."""
    return (
        Suggestion.objects.filter(organisation_id=organisation_id, published=True)
        .only("id", "title", "content", "published_answer", "published_at", "reply_by_label", "created_at")
        .order_by("-published_at", "-id")
    )


def waiting_counts(user) -> dict:
    """The 办公室's to-dos: received (to moderate) and accepted (to route), one aggregate query."""
    from django.db.models import Count

    if not rules.is_public_office(user) or not user.organisation_id:
        return {"received": 0, "accepted": 0}
    own = Q(organisation_id=user.organisation_id) | Q(
        organisation__kind=Organisation.Kind.LIAISON, organisation__path__startswith=user.organisation.path
    )
    return Suggestion.objects.filter(own, status__in=[S.RECEIVED, S.ACCEPTED]).aggregate(
        received=Count("id", filter=Q(status=S.RECEIVED)), accepted=Count("id", filter=Q(status=S.ACCEPTED))
    )
