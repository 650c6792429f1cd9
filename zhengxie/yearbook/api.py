"""年度工作数据 JSON API under /api/v1:

    GET /yearbook?year=&organisation=           a committee's year: parts with figures and definitions,
                                                last year's values, the work report's sentences, freshness
    GET /yearbook/levels?year=&organisation=&figure=   the committees one level down side by side

`organisation` defaults to the caller's committee; a committee below theirs is read-only; any other → 404.
"""

from __future__ import annotations

import datetime

from ninja import Router, Schema

from . import services, tables

router = Router(tags=["年度工作数据"])


class FigureOut(Schema):
    key: str
    label: str
    value: int | float | None
    unit: str
    definition: str
    last: int | float | None
    change: int | float | None
    better: str


class PartOut(Schema):
    key: str
    title: str
    sentence: str
    figures: list[FigureOut]
    months: dict[str, list[int]]


class YearOut(Schema):
    organisation_id: int
    organisation: str
    year: int
    computed_at: datetime.datetime
    sentences: list[str]
    parts: list[PartOut]


class LevelColumn(Schema):
    key: str
    part: str
    label: str
    unit: str
    definition: str


class LevelRow(Schema):
    organisation_id: int
    organisation: str
    values: list[int | float | None]
    outlier: bool


class LevelsOut(Schema):
    organisation_id: int
    year: int
    columns: list[LevelColumn]
    rows: list[LevelRow]
    totals: list[int | float | None]
    figure: str
    ranking: list[str]


def _target(request, organisation, year):
    return services.committee_for(request.user, organisation), services.check_year(year)


@router.get("/yearbook", response=YearOut, summary="年度工作数据：本级（或下级）政协一年的全部工作报告数字")
def year_figures(request, year: int | None = None, organisation: int | None = None):
    committee, y = _target(request, organisation, year)
    snap, prev = services.year_with_last(committee, y)
    parts = tables.compare(snap.parts, prev.parts, links=False)
    return {
        "organisation_id": committee.pk,
        "organisation": committee.name,
        "year": y,
        "computed_at": snap.computed_at,
        "sentences": [p["sentence"] for p in parts if p["sentence"]],
        "parts": [{**p, "figures": p["rows"]} for p in parts],
    }


@router.get("/yearbook/levels", response=LevelsOut, summary="下级政协年度工作数据对比（合计、排名、需关注）")
def levels(request, year: int | None = None, organisation: int | None = None, figure: str = ""):
    committee, y = _target(request, organisation, year)
    below = services.committees_below(committee)
    t = tables.levels(below, services.snapshots(below, y, recount_stale=False) if below else {}, figure[:80])
    return {
        "organisation_id": committee.pk,
        "year": y,
        "columns": t["columns"],
        "rows": [
            {
                "organisation_id": r["committee"].pk,
                "organisation": r["committee"].name,
                "values": r["values"],
                "outlier": r["committee"].pk in t["outliers"],
            }
            for r in t["rows"]
        ],
        "totals": t["totals"],
        "figure": t["chosen"],
        "ranking": [r["committee"].name for r in t["ranking"]],
    }
