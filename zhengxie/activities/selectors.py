"""Reads of meetings and invitations, scoped to what the user may see. Out of scope -> Http404."""

from __future__ import annotations

import calendar
import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from zhengxie.core.errors import Forbidden
from zhengxie.core.models import Attachment, Role
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Member

from .models import Invitation, Meeting
from .rules import OVERSEERS, manages_meeting

S = Meeting.Status
A = Invitation.Attendance
L = Invitation.LeaveStatus
R = Invitation.Reply


def visible_q(user) -> Q:
    """Overseers see their organisation's meetings (drafts too); members see those they are invited to."""
    q = Q(pk__in=[])
    if not user.is_authenticated:
        return q
    if user.has_role(*OVERSEERS):
        q |= org_scope_q(user)
    if user.has_role(Role.MEMBER):
        invited = Exists(Invitation.objects.filter(meeting=OuterRef("pk"), member__user=user))
        q |= Q(invited) & ~Q(status=S.DRAFT)
    return q


def _counts():
    return dict(
        n_invited=Count("invitations", distinct=True),
        n_attend=Count("invitations", filter=Q(invitations__reply=R.ATTEND), distinct=True),
        n_leave=Count("invitations", filter=Q(invitations__reply=R.LEAVE_REQUESTED), distinct=True),
        n_leave_pending=Count("invitations", filter=Q(invitations__leave_status=L.PENDING), distinct=True),
        n_pending=Count("invitations", filter=Q(invitations__reply=R.PENDING), distinct=True),
        n_present=Count("invitations", filter=Q(invitations__attendance=A.PRESENT), distinct=True),
    )


def _mine(user):
    own = Invitation.objects.filter(meeting=OuterRef("pk"), member__user=user)
    return dict(
        my_invitation_id=Subquery(own.values("pk")[:1]),
        my_reply=Subquery(own.values("reply")[:1]),
        my_leave_status=Subquery(own.values("leave_status")[:1]),
        my_attendance=Subquery(own.values("attendance")[:1]),
    )


def meetings_for(
    user,
    *,
    status: str = "",
    kind: str = "",
    q: str = "",
    when: str = "",
    year=None,
    counts: bool = True,
    todo: str = "",
) -> QuerySet:
    """The meetings the user may see, with reply counts and the user's own reply, in one query; `todo`:
    only those behind a workbench to-do card (todo_meetings_q)."""
    qs = Meeting.objects.filter(visible_q(user)).select_related("organisation", "organiser", "committee")
    todo_q = todo_meetings_q(user, todo) if todo else None
    if todo_q is not None:
        qs = qs.filter(todo_q)
    if status in S.values:
        qs = qs.filter(status=status)
    if kind in Meeting.Kind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q))
    now = timezone.now()
    qs = qs.order_by("-starts_at", "-id")
    if when == "upcoming":
        qs = qs.filter(ends_at__gte=now).exclude(status=S.CANCELLED).order_by("starts_at", "id")
    elif when == "past":
        qs = qs.filter(ends_at__lt=now)
    if year:
        qs = qs.filter(starts_at__year=year)
    qs = qs.annotate(**_mine(user))
    if counts:
        qs = qs.annotate(**_counts())
    return qs


def get_meeting(user, pk) -> Meeting:
    """A meeting the user may see, or 404."""
    try:
        return meetings_for(user).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该会议")


def get_managed_meeting(user, pk) -> Meeting:
    """A meeting the user runs: 404 when invisible, 403 when visible but not theirs to manage."""
    meeting = get_meeting(user, pk)
    if not manages_meeting(user, meeting):
        raise Forbidden("只有本会机关工作人员可以管理会议活动。")
    return meeting


def meeting_for_checkin(user, pk) -> Meeting:
    """Check-in looks the meeting up within the user's organisation (not only invitations), so that a
    member who was not invited is told so instead of getting a bare 404."""
    try:
        return Meeting.objects.select_related("organisation").get(org_scope_q(user), pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("未找到该会议")


def invitations(meeting, *, filter: str = "", q: str = "") -> QuerySet:
    qs = (
        Invitation.objects.filter(meeting=meeting)
        .select_related("member__sector", "member__user", "leave_decided_by", "checked_in_by")
        .order_by("member__sector__order", "member_id")
    )
    if filter == "attend":
        qs = qs.filter(reply=R.ATTEND)
    elif filter == "leave":
        qs = qs.filter(reply=R.LEAVE_REQUESTED)
    elif filter == "leave_pending":
        qs = qs.filter(leave_status=L.PENDING)
    elif filter == "pending":
        qs = qs.filter(reply=R.PENDING)
    elif filter == "present":
        qs = qs.filter(attendance=A.PRESENT)
    elif filter == "absent":
        qs = qs.exclude(attendance=A.PRESENT)
    if q:
        qs = qs.filter(member__name__icontains=q)
    return qs


def get_invitation(meeting, pk) -> Invitation:
    try:
        return Invitation.objects.select_related("member__user", "meeting__organisation").get(
            meeting=meeting, pk=pk
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该邀请")


def invitation_by_member(meeting, member_id) -> Invitation | None:
    return (
        Invitation.objects.select_related("member__user", "meeting__organisation")
        .filter(meeting=meeting, member_id=member_id)
        .first()
    )


def own_invitation(user, meeting) -> Invitation | None:
    if not user.has_role(Role.MEMBER):
        return None
    return Invitation.objects.filter(meeting=meeting, member__user=user).first()


def reply_counts(meeting) -> dict:
    agg = Invitation.objects.filter(meeting=meeting).aggregate(
        invited=Count("id"),
        attend=Count("id", filter=Q(reply=R.ATTEND)),
        leave=Count("id", filter=Q(reply=R.LEAVE_REQUESTED)),
        leave_pending=Count("id", filter=Q(leave_status=L.PENDING)),
        leave_approved=Count("id", filter=Q(leave_status=L.APPROVED)),
        pending=Count("id", filter=Q(reply=R.PENDING)),
        present=Count("id", filter=Q(attendance=A.PRESENT)),
        absent=Count("id", filter=Q(attendance=A.ABSENT)),
        on_leave=Count("id", filter=Q(attendance=A.ON_LEAVE)),
        unnotified=Count("id", filter=Q(notified_at__isnull=True)),
        # Closing now would record these as absent: not checked in and no approved leave.
        to_be_absent=Count("id", filter=~Q(attendance=A.PRESENT) & ~Q(leave_status=L.APPROVED)),
        never_replied=Count("id", filter=~Q(attendance=A.PRESENT) & Q(reply=R.PENDING)),
    )
    agg["rate"] = round(100 * agg["present"] / agg["invited"], 1) if agg["invited"] else 0
    # of those to be recorded absent, the ones who did reply (attend / leave not approved)
    agg["replied_absent"] = max(agg["to_be_absent"] - agg["never_replied"], 0)
    return agg


def materials(meeting) -> QuerySet:
    ct = ContentType.objects.get_for_model(Meeting)
    return Attachment.objects.filter(content_type=ct, object_id=str(meeting.pk), purpose="material").order_by(
        "id"
    )


def invitable_members(meeting, q: str = "", limit: int = 30) -> QuerySet:
    qs = (
        Member.objects.filter(organisation=meeting.organisation, status=Member.Status.ACTIVE)
        .select_related("sector")
        .annotate(invited=Exists(Invitation.objects.filter(meeting=meeting, member=OuterRef("pk"))))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(employer__icontains=q))
    return qs.order_by("sector__order", "id")[:limit]


def chosen_members(meeting, ids) -> list[Member]:
    """Members already ticked in the invite form (kept across searches)."""
    ids = [i for i in ids if str(i).isdigit()][:500]
    if not ids:
        return []
    return list(Member.objects.filter(organisation=meeting.organisation, pk__in=ids).select_related("sector"))


# ---------------------------------------------------------------- calendar


def month_bounds(year: int, month: int):
    tz = timezone.get_current_timezone()
    first = datetime.datetime(year, month, 1, tzinfo=tz)
    nxt = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return first, nxt


def month_grid(user, year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of days, each with the meetings starting that day; one query."""
    first, nxt = month_bounds(year, month)
    rows = list(
        meetings_for(user, counts=False)
        .filter(starts_at__gte=first, starts_at__lt=nxt)
        .exclude(status=S.CANCELLED)
        .order_by("starts_at", "id")
    )
    by_day: dict[datetime.date, list] = {}
    for m in rows:
        by_day.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    today = timezone.localdate()
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {"date": d, "in_month": d.month == month, "today": d == today, "meetings": by_day.get(d, [])}
                for d in week
            ]
        )
    return weeks


# ---------------------------------------------------------------- attendance statistics


def attendance_by_meeting(user, year: int) -> list[Meeting]:
    qs = (
        Meeting.objects.filter(org_scope_q(user), status=S.CLOSED, starts_at__year=year)
        .annotate(
            n_invited=Count("invitations"),
            n_present=Count("invitations", filter=Q(invitations__attendance=A.PRESENT)),
            n_on_leave=Count("invitations", filter=Q(invitations__attendance=A.ON_LEAVE)),
        )
        .order_by("starts_at", "id")
    )
    rows = list(qs)
    for m in rows:
        m.rate = round(100 * m.n_present / m.n_invited, 1) if m.n_invited else 0
    return rows


def attendance_by_sector(user, year: int) -> list[dict]:
    rows = list(
        Invitation.objects.filter(
            org_scope_q(user, "meeting__organisation"),
            meeting__status=S.CLOSED,
            meeting__starts_at__year=year,
        )
        .values("member__sector__name", "member__sector__order")
        .annotate(
            total=Count("id"),
            present=Count("id", filter=Q(attendance=A.PRESENT)),
            on_leave=Count("id", filter=Q(attendance=A.ON_LEAVE)),
        )
        .order_by("member__sector__order", "member__sector__name")
    )
    for r in rows:
        r["sector"] = r.pop("member__sector__name")
        r["rate"] = round(100 * r["present"] / r["total"], 1) if r["total"] else 0
    return rows


# ---------------------------------------------------------------- workbench


# Each to-do card opens a list of exactly what it counts: the counts and the lists read these.


def _member_todo(user) -> dict[str, Q]:
    """A member's invitations behind each to-do card: awaiting a reply (the meeting not begun) and
    coming up within 14 days (leave not approved)."""
    now = timezone.now()
    soon = now + datetime.timedelta(days=14)
    return {
        "awaiting": Q(reply=R.PENDING, meeting__starts_at__gt=now),
        "upcoming": Q(meeting__ends_at__gte=now, meeting__starts_at__lte=soon) & ~Q(leave_status=L.APPROVED),
    }


def member_invitations(user):
    return Invitation.objects.filter(member__user=user, meeting__status=S.NOTIFIED)


def member_todo_counts(user) -> dict:
    return member_invitations(user).aggregate(
        **{key: Count("id", filter=q) for key, q in _member_todo(user).items()}
    )


def leave_requests(user) -> QuerySet:
    """Leave requests waiting for the staff user's decision: those of the open meetings of their own
    organisation (the meetings they run), oldest meeting first."""
    if not user.has_role(Role.STAFF) or user.organisation_id is None:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        meeting__organisation_id=user.organisation_id,
        meeting__status=S.NOTIFIED,
        leave_status=L.PENDING,
    )


def _to_close_q(user) -> Q:
    """Meetings of the staff user's organisation that are over and not yet closed (归档)."""
    return Q(organisation_id=user.organisation_id, status=S.NOTIFIED, ends_at__lt=timezone.now())


def staff_todo_counts(user) -> dict:
    return {
        "leave_pending": leave_requests(user).count(),
        "to_close": Meeting.objects.filter(_to_close_q(user)).count(),
    }


def todo_meetings_q(user, todo: str) -> Q | None:
    """The meetings list's ?todo=: the meetings behind a to-do card (None for an unknown key)."""
    if todo in ("awaiting", "upcoming") and user.has_role(Role.MEMBER):
        mine = member_invitations(user).filter(_member_todo(user)[todo])
        return Q(pk__in=mine.values("meeting_id"))
    if todo == "to_close" and user.has_role(Role.STAFF) and user.organisation_id:
        return _to_close_q(user)
    return None
