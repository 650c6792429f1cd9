"""序时进度 and the light, pure functions (no queries): the services, the daily job and the pages use them.

- expected_percent: the share of [starts_on, due_on] that has passed today (0 before the start, 100 on the
  due day and after), rounded down.
- light: green while the percent is within `yellow_gap` points of it; yellow when further behind, or when a
  milestone is past its date and not done; red when more than `red_gap` points behind, or the task is past
  its due day and not done. A done task is green.
"""

from __future__ import annotations

import datetime

from .models import Light


def expected_percent(starts_on: datetime.date, due_on: datetime.date, today: datetime.date) -> int:
    if today >= due_on:
        return 100
    if today <= starts_on:
        return 0
    total = (due_on - starts_on).days
    return max(0, min(100, (today - starts_on).days * 100 // total)) if total > 0 else 100


def light(
    *,
    percent: int,
    done: bool,
    starts_on,
    due_on,
    today,
    overdue_milestones: int = 0,
    yellow_gap: int = 10,
    red_gap: int = 25,
) -> str:
    if done:
        return Light.GREEN
    if today > due_on:
        return Light.RED
    gap = expected_percent(starts_on, due_on, today) - percent
    if gap > red_gap:
        return Light.RED
    if gap > yellow_gap or overdue_milestones:
        return Light.YELLOW
    return Light.GREEN


SEVERITY = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
