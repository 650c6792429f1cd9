"""The work report's figures (政协工作报告数字), filled by the apps as the dashboard is.

Each app's `yearbook.py` registers a provider for its part of the committee's year:

    @provider("proposals", "提案工作", order=10)
    def proposal_figures(committee, ids, year) -> Part | None: ...

`committee` is a committee (county, city or province: an Organisation that is not a liaison group), `ids`
the organisation ids of its own work (the committee and its 乡镇联络组, never the committees below it: a
city's counties have their own figures), `year` the calendar year. A provider returns a `Part` (figures with
their definitions, the work report's sentence, monthly series) with every figure even when it is 0 (an empty
year reads 0 beside its definition), or None only when the app does not apply to that committee. It runs a constant, small number of aggregate queries and hands back plain values: the result is
stored as JSON (models.Snapshot) and read back for the county page, the city's table and the exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

# The providers' percentages are the statistics pages' own (one decimal, None with nothing to divide by).
from zhengxie.proposals.stats import pct  # noqa: F401


@dataclass
class Figure:
    """One number of the report. `key` is unique within its part ("accepted"); `value` is an int, a float
    (percent, one decimal) or None ("—": nothing to divide by); `definition` says in one Chinese sentence
    what is counted; `url` lists the rows behind it (for the committee's own users; a path with ?year=)."""

    key: str
    label: str
    value: int | float | None
    unit: str = ""
    definition: str = ""
    url: str = ""
    # Higher is better (办复率) or worse (逾期): how the city's table ranks committees and marks outliers.
    better: str = "higher"


@dataclass
class Part:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    sentence: str = ""
    # {"label": [12 monthly values]}: the trend chart of the part (optional).
    months: dict[str, list[int]] = field(default_factory=dict)
    url: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Provider:
    key: str
    title: str
    func: Callable
    order: int


PROVIDERS: dict[str, Provider] = {}


def provider(key: str, title: str, order: int = 100):
    """Register `func(committee, ids, year) -> Part | None` under `key`."""

    def register(func):
        PROVIDERS[key] = Provider(key, title, func, order)
        return func

    return register


def providers() -> list[Provider]:
    return sorted(PROVIDERS.values(), key=lambda p: (p.order, p.key))
