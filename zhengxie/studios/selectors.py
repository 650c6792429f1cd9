"""Reads of the studios app: scoped to what the user may see, a constant number of queries each."""

from __future__ import annotations

import datetime

from zhengxie.members.models import Member

from .models import DutySlot

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
