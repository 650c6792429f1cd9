"""What 书香政协 pages read, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from zhengxie.activities.models import Invitation, Meeting
from zhengxie.members.models import Member

from .models import Book, Log


def committee_of(user):
    return user.organisation.committee if user.organisation_id else None


def books(user, year: int):
    org = committee_of(user)
    if org is None:
        return Book.objects.none()
    return Book.objects.filter(organisation=org, year=year, is_active=True).annotate(
        readers=Count("logs__member", distinct=True)
    )


def my_logs(member, limit=20) -> list[Log]:
    if member is None:
        return []
    return list(Log.objects.filter(member=member).select_related("book")[:limit])


def notes_wall(user, limit=20) -> list[Log]:
    """The latest shared notes of the committee's members (读书交流)."""
    org = committee_of(user)
    if org is None:
        return []
    return list(
        Log.objects.filter(organisation=org, shared=True, is_note=True)
        .select_related("book", "member")
        .order_by("-created_at")[:limit]
    )


def member_counts(organisation, year: int):
    """Per member of the committee (its 乡镇联络组 too): check-ins, notes and reading activities attended."""
    from zhengxie.yearbook.services import own_ids

    ids = own_ids(organisation)
    logs = Q(reading_logs__read_on__year=year)
    return (
        Member.objects.filter(organisation_id__in=ids, status=Member.Status.ACTIVE)
        .annotate(
            check_ins=Count("reading_logs", filter=logs, distinct=True),
            notes=Count("reading_logs", filter=logs & Q(reading_logs__is_note=True), distinct=True),
        )
        .order_by("-notes", "-check_ins", "id")
    )


def activities_attended(member_ids, year: int) -> dict[int, int]:
    rows = (
        Invitation.objects.filter(
            member_id__in=member_ids,
            attendance=Invitation.Attendance.PRESENT,
            meeting__kind=Meeting.Kind.READING,
            meeting__starts_at__year=year,
        )
        .values("member_id")
        .annotate(n=Count("id"))
    )
    return {r["member_id"]: r["n"] for r in rows}


def year_figures(ids, organisation, year: int) -> dict:
    """书香政协 in the work report (three queries)."""
    books_n = Book.objects.filter(organisation=organisation, year=year).count()
    logs = Log.objects.filter(organisation_id__in=ids, read_on__year=year).aggregate(
        check_ins=Count("id"),
        readers=Count("member_id", distinct=True),
        notes=Count("id", filter=Q(is_note=True)),
    )
    activities = Meeting.objects.filter(
        organisation_id__in=ids, kind=Meeting.Kind.READING, status=Meeting.Status.CLOSED, starts_at__year=year
    ).count()
    return {"books": books_n, "activities": activities, **logs}
