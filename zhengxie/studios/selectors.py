"""Reads of the studios app: scoped to what the user may see, a constant number of queries each."""

from __future__ import annotations

import calendar
import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from zhengxie.core.errors import NotFound
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Member

from . import rules as r
from .models import Booking, DutySlot, DutySwap, ServiceOffer, ServiceRecord, Studio

OPEN = (Booking.Status.PENDING, Booking.Status.ACCEPTED)

# Slots whose member is (or was) on duty that day: a leave or an absence takes the member off.
ON_DUTY = (DutySlot.Status.PLANNED, DutySlot.Status.DONE, DutySlot.Status.LEAVE_ASKED)


def duty_members(studio, day: datetime.date) -> list[Member]:
    """The members on 线上值班 duty at this studio on this day (empty list when none), by name.
    `studio` is a Studio or its id. One query."""
    studio_id = getattr(studio, "pk", studio)
    return list(
        Member.objects.filter(
            duty_slots__studio_id=studio_id, duty_slots__day=day, duty_slots__status__in=ON_DUTY
        )
        .select_related("user")
        .order_by("name", "pk")
        .distinct()
    )


# --- studios -----------------------------------------------------------------------------------------


def studios_for(user, *, q: str = "", active=None) -> QuerySet[Studio]:
    """The studios of the organisations the user may read (staff, leaders, system administrators) — or,
    for a member, the studios they are in. Member counts annotated; members prefetched (two queries)."""
    if getattr(user, "organisation_id", None) and r.can_read_studios(user, user.organisation):
        qs = Studio.objects.filter(org_scope_q(user))
    else:
        mid = r.own_member_id(user)
        qs = Studio.objects.filter(members__pk=mid) if mid else Studio.objects.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    return (
        qs.select_related("organisation")
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("name", "pk")))
        .order_by("organisation_id", "name", "pk")
    )


def studio_for(user, pk) -> Studio:
    """A studio the user may see on the staff side (404 otherwise)."""
    s = (
        Studio.objects.select_related("organisation")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.select_related("sector").order_by("name", "pk"))
        )
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if s is None or not r.can_view_studio(user, s):
        raise NotFound("未找到该委员工作室。")
    return s


def public_studios(organisation_id=None) -> QuerySet[Studio]:
    """Active studios of active organisations, with their members (for the public pages and API)."""
    qs = Studio.objects.filter(active=True, organisation__is_active=True)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return (
        qs.select_related("organisation")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.select_related("sector").order_by("name", "pk"))
        )
        .order_by("organisation_id", "name", "pk")
    )


def public_studio(pk) -> Studio:
    s = public_studios().filter(pk=pk if str(pk).isdigit() else 0).first()
    if s is None:
        raise NotFound("未找到该委员工作室。")
    return s


def duty_by_studio(studio_ids, day: datetime.date) -> dict[int, list[Member]]:
    """{studio id: members on duty that day} for many studios in one query."""
    out: dict[int, list[Member]] = {}
    for slot in (
        DutySlot.objects.filter(studio_id__in=list(studio_ids), day=day, status__in=ON_DUTY)
        .select_related("member")
        .order_by("member__name", "member_id")
    ):
        out.setdefault(slot.studio_id, []).append(slot.member)
    return out


# --- the rota ------------------------------------------------------------------------------------------


def rota_month(studio, year: int, month: int) -> list[dict]:
    """Each day of the month with its slots ({day, slots: [DutySlot with member]}); one query."""
    days = month_dates(year, month)
    slots: dict[datetime.date, list[DutySlot]] = {d: [] for d in days}
    for slot in (
        DutySlot.objects.filter(studio=studio, day__gte=days[0], day__lte=days[-1])
        .select_related("member")
        .order_by("day", "member__name", "member_id")
    ):
        slots[slot.day].append(slot)
    return [{"day": d, "slots": slots[d]} for d in days]


def month_dates(year: int, month: int) -> list[datetime.date]:
    n = calendar.monthrange(year, month)[1]
    return [datetime.date(year, month, d) for d in range(1, n + 1)]


def duties_of(member, *, start: datetime.date, end: datetime.date) -> QuerySet[DutySlot]:
    return (
        DutySlot.objects.filter(member=member, day__gte=start, day__lte=end)
        .select_related("studio")
        .order_by("day", "studio__name")
    )


def duty_slot_for(user, pk) -> DutySlot:
    x = (
        DutySlot.objects.select_related("organisation", "studio", "member")
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if x is None or not r.can_view_row(user, x):
        raise NotFound("未找到该值班。")
    return x


# --- the 为民服务超市 ------------------------------------------------------------------------------------


def public_offers(organisation_id=None, *, category: str = "", studio_id=None) -> QuerySet[ServiceOffer]:
    qs = ServiceOffer.objects.filter(active=True, organisation__is_active=True)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if category:
        qs = qs.filter(category=category)
    if studio_id is not None:
        qs = qs.filter(studio_id=studio_id)
    return qs.select_related("member__sector", "studio").order_by("category", "-id")


def offers_of(member) -> QuerySet[ServiceOffer]:
    return (
        ServiceOffer.objects.filter(member=member)
        .select_related("studio")
        .annotate(open_bookings=Count("bookings", filter=Q(bookings__status__in=OPEN)))
        .order_by("-active", "-id")
    )


def offer_for(user, pk) -> ServiceOffer:
    o = (
        ServiceOffer.objects.select_related("organisation", "member", "studio")
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if o is None or not r.can_view_row(user, o):
        raise NotFound("未找到该服务。")
    return o


def bookings_for(user, *, status: str = "", mine: bool = False) -> QuerySet[Booking]:
    """A member's bookings (`mine`, or when they read nothing else); staff read their organisations'."""
    mid = r.own_member_id(user)
    if mine or not (getattr(user, "organisation_id", None) and r.can_read_studios(user, user.organisation)):
        qs = Booking.objects.filter(member_id=mid) if mid else Booking.objects.none()
    else:
        qs = Booking.objects.filter(org_scope_q(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("offer", "member", "organisation").order_by("-id")


def booking_for(user, pk) -> Booking:
    b = (
        Booking.objects.select_related("organisation", "offer__studio", "member", "record")
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if b is None or not r.can_view_row(user, b):
        raise NotFound("未找到该预约。")
    return b


def records_of(member, *, year: int | None = None) -> QuerySet[ServiceRecord]:
    qs = ServiceRecord.objects.filter(member=member, withdrawn=False)
    if year:
        qs = qs.filter(served_on__year=year)
    return qs.select_related("offer", "studio", "booking").order_by("-served_on", "-id")


def waiting_count(member_id) -> int:
    return Booking.objects.filter(member_id=member_id, status=Booking.Status.PENDING).count()


def leave_requests(user) -> list[DutySlot]:
    """Leave asked on the rota of the user's own organisation (the office decides them)."""
    return list(
        DutySlot.objects.filter(organisation_id=user.organisation_id, status=DutySlot.Status.LEAVE_ASKED)
        .select_related("studio", "member")
        .order_by("day", "pk")[:100]
    )


# --- swaps (换班) ----------------------------------------------------------------------------------------


def _swap_rows(qs: QuerySet[DutySwap]) -> QuerySet[DutySwap]:
    return qs.select_related("studio", "slot", "from_member", "to_member", "organisation").order_by(
        "-day", "-pk"
    )


def swaps_of_studio(user, studio_pk, *, status: str = "") -> tuple[Studio, QuerySet[DutySwap]]:
    """A studio's swaps (404 for a studio the user may not see): all of them for its readers (the 办公室
    among them), a member's own (asked or offered) for its members. One query for the rows."""
    s = studio_for(user, studio_pk)
    qs = DutySwap.objects.filter(studio=s)
    if not r.can_read_studios(user, s.organisation):
        mid = r.own_member_id(user)
        qs = qs.filter(Q(from_member_id=mid) | Q(to_member_id=mid))
    if status:
        qs = qs.filter(status=status)
    return s, _swap_rows(qs)


def swaps_of_member(member) -> list[DutySwap]:
    """The member's open swaps, asked and offered, for 我的工作室."""
    qs = DutySwap.objects.filter(Q(from_member=member) | Q(to_member=member), status__in=DutySwap.OPEN)
    return list(_swap_rows(qs))


def swap_for(user, pk) -> DutySwap:
    w = _swap_rows(DutySwap.objects.filter(pk=pk if str(pk).isdigit() else 0)).first()
    if w is None or not r.can_view_swap(user, w):
        raise NotFound("未找到该换班申请。")
    return w


def swaps_to_approve(user) -> QuerySet[DutySwap]:
    """Agreed swaps waiting for this 办公室 user (the studios of their own organisation)."""
    if not r.is_studio_office(user) or not getattr(user, "organisation_id", None):
        return DutySwap.objects.none()
    return DutySwap.objects.filter(organisation_id=user.organisation_id, status=DutySwap.Status.AGREED)
