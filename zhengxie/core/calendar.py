"""Working days (工作日): Monday to Friday, minus the organisation's holidays, plus its 调休 working weekends.

Holidays and extra working days are per-organisation settings ("calendar.holidays",
"calendar.extra_workdays"): lists of ISO dates an administrator keeps up to date each year. Every module
counts its working-day limits with this one calendar.
"""

from __future__ import annotations

import datetime

from zhengxie.core import orgsettings

orgsettings.register("calendar.holidays", [], "法定节假日(不计工作日，YYYY-MM-DD)")
orgsettings.register("calendar.extra_workdays", [], "调休上班日(周末计为工作日，YYYY-MM-DD)")


def _dates(organisation, key: str) -> frozenset[datetime.date]:
    if organisation is None:
        return frozenset()
    out = set()
    for v in orgsettings.get(organisation, key) or []:
        try:
            out.add(v if isinstance(v, datetime.date) else datetime.date.fromisoformat(str(v)))
        except ValueError:
            continue
    return frozenset(out)


class Calendar:
    """An organisation's working-day calendar (reads the settings once)."""

    def __init__(self, organisation=None):
        self.holidays = _dates(organisation, "calendar.holidays")
        self.extra = _dates(organisation, "calendar.extra_workdays")

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.extra:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day, left = start, days
        step = 1 if days >= 0 else -1
        left = abs(left)
        while left:
            day += datetime.timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def latest_late_start(self, today: datetime.date, days: int) -> datetime.date:
        """The latest start whose deadline `add(start, days)` is before `today` (every earlier start is late too)."""
        day, counted = today - datetime.timedelta(days=1), 0
        while counted < days:
            if self.is_workday(day):
                counted += 1
            day -= datetime.timedelta(days=1)
        return day

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        n, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                n += 1
        return n


def is_workday(day: datetime.date, organisation=None) -> bool:
    return Calendar(organisation).is_workday(day)


def add_workdays(start: datetime.date, days: int, organisation=None) -> datetime.date:
    return Calendar(organisation).add(start, days)


def workdays_between(start: datetime.date, end: datetime.date, organisation=None) -> int:
    return Calendar(organisation).between(start, end)
