"""Reads of 视察/调研 topics, scoped with core.permissions.org_scope_q, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.selectors import member_of

from . import rules
from .documents import visit_rows
from .models import Finding, Recommendation, ResearchTopic

S = ResearchTopic.Status


def visible(user):
    """Staff, leaders and administrators: their organisation and its subtree; anybody else the topics
    they lead or take part in."""
    if not getattr(user, "is_authenticated", False):
        return ResearchTopic.objects.none()
    if rules.is_reader(user):
        return ResearchTopic.objects.filter(org_scope_q(user))
    return ResearchTopic.objects.filter(_mine_q(user))


def _mine_q(user) -> Q:
    member = member_of(user)
    q = Q(leader_id=user.pk)
    if member is not None:
        q |= Q(
            pk__in=ResearchTopic.members.through.objects.filter(member_id=member.pk).values(
                "researchtopic_id"
            )
        )
    return q


def topic_list(user, *, year=None, kind="", status="", q="", mine=False):
    """The list, filtered, newest first (one query, plus the count for pages)."""
    qs = visible(user)
    if mine:
        qs = qs.filter(_mine_q(user))
    if year:
        qs = qs.filter(year=year)
    if kind in ResearchTopic.Kind.values:
        qs = qs.filter(kind=kind)
    if status in S.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(background__icontains=q))
    return (
        qs.select_related("organisation", "leader", "committee")
        .annotate(
            member_count=Count("members", distinct=True),
            visit_count=Count("visits", distinct=True),
        )
        .order_by("-year", "-id")
    )


def get(user, pk, *, full=False) -> ResearchTopic:
    """One topic (with its members, writers, findings and recommendations when `full`), or 404."""
    qs = ResearchTopic.objects.select_related("organisation", "leader", "committee", "report", "created_by")
    prefetch = [Prefetch("members", queryset=_members_qs())]
    if full:
        prefetch += [
            Prefetch("writers", queryset=_members_qs()),
            Prefetch(
                "findings", queryset=Finding.objects.select_related("author", "photo").order_by("at", "id")
            ),
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related(
                    "unit", "case", "opinion", "proposal"
                ).order_by("number"),
            ),
        ]
    return seen(user, qs.prefetch_related(*prefetch), pk)


def as_pk(value) -> int | None:
    """An object's or a given id as an int, or None when it is none (a bool, text, too large)."""
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not str(pk).strip().isdigit() or int(pk) >= 2**53:
        return None
    return int(pk)


def seen(user, qs, pk) -> ResearchTopic:
    """The topic `pk` of `qs` if the user may see it, else 404 (another county's: never 403)."""
    pk = as_pk(pk)
    t = qs.filter(pk=pk).first() if pk is not None else None
    if t is None or not rules.can_view(user, t):
        raise NotFound("未找到该视察调研课题。")
    return t


def _members_qs():
    from zhengxie.members.models import Member

    return Member.objects.select_related("sector").order_by("name", "id")


def visits(topic) -> list:
    return visit_rows(topic)


def years(user) -> list[int]:
    found = set(visible(user).order_by().values_list("year", flat=True).distinct())
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def overdue_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=[S.PLANNED, S.IN_PROGRESS], ends_on__lt=today)


def overdue_count(user) -> int:
    """Topics past their end without a report: for the managing staff, those of their organisation; for a
    writer, those they are to write (one query)."""
    q = Q(pk__in=[])
    if rules.is_manager(user, user.organisation):
        q |= Q(organisation_id=user.organisation_id)
    member = member_of(user)
    if member is not None:
        q |= Exists(
            ResearchTopic.writers.through.objects.filter(researchtopic_id=OuterRef("pk"), member_id=member.pk)
        )
    return ResearchTopic.objects.filter(q).filter(overdue_q()).count()


def units(organisation):
    from zhengxie.core.models import HandlingUnit

    return list(
        HandlingUnit.objects.filter(organisation=organisation.committee, is_active=True).order_by(
            "order", "id"
        )
    )
