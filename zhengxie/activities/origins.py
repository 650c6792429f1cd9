"""Where a meeting comes from: a module that holds its own meetings here (协商议事's 协商会议 …) registers,
for its meeting kind, a function that gives the meeting page a link back to its record — or None when
there is none or this user may not see it. The meetings module names no other module."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Origin(NamedTuple):
    label: str  # what the record is: 协商活动
    title: str
    url: str


_BY_KIND: dict[str, Callable] = {}


def register(kind: str, find: Callable) -> None:
    """`find(user, meeting) -> Origin | None` for meetings of `kind`."""
    _BY_KIND[kind] = find


def origin(user, meeting) -> Origin | None:
    find = _BY_KIND.get(meeting.kind)
    return find(user, meeting) if find is not None else None
