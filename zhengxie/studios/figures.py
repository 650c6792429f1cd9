"""Figures per studio and for the year (the yearly report's "委员工作室N个，接待群众M人次；委员线上值班K天").

Other apps add columns to the per-studio table with `studio_figure_provider` — the suggestions app, say,
the messages a studio received and answered in time:

    @studio_figure_provider
    def suggestion_columns(studio_ids, year) -> dict:
        return {"columns": [("messages", "群众留言"), ("on_time", "按时答复")],
                "values": {studio_id: {"messages": 12, "on_time": 10}, ...}}

A provider must run a constant, small number of queries whatever the number of studios.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from .models import Booking, DutySlot, ServiceRecord, Studio

STUDIO_FIGURE_PROVIDERS: list = []

OWN_COLUMNS = [
    ("duty_days", "值班天数"),
    ("bookings", "收到预约"),
    ("services_done", "服务次数"),
    ("people_served", "接待群众（人次）"),
]


def studio_figure_provider(func):
    STUDIO_FIGURE_PROVIDERS.append(func)
    return func


def studio_figures(studio_ids, year: int) -> tuple[list[tuple[str, str]], dict[int, dict]]:
    """(columns, {studio id: {column: value}}) for these studios in the year: 3 queries plus the providers'."""
    ids = list(studio_ids)
    values: dict[int, dict] = {i: {c: 0 for c, _ in OWN_COLUMNS} for i in ids}
    for row in (
        DutySlot.objects.filter(studio_id__in=ids, day__year=year, status=DutySlot.Status.DONE)
        .values("studio_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        values[row["studio_id"]]["duty_days"] = row["n"]
    for row in (
        Booking.objects.filter(offer__studio_id__in=ids, created_at__year=year)
        .values("offer__studio_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        values[row["offer__studio_id"]]["bookings"] = row["n"]
    for row in (
        ServiceRecord.objects.filter(studio_id__in=ids, served_on__year=year, withdrawn=False)
        .values("studio_id")
        .annotate(n=Count("id"), people=Sum("people_served"))
        .order_by()
    ):
        values[row["studio_id"]]["services_done"] = row["n"]
        values[row["studio_id"]]["people_served"] = row["people"] or 0
    columns = list(OWN_COLUMNS)
    for provider in STUDIO_FIGURE_PROVIDERS:
        extra = provider(ids, year) or {}
        columns += list(extra.get("columns", []))
        for sid, vals in (extra.get("values") or {}).items():
            if sid in values:
                values[sid].update(vals)
    return columns, values


def year_figures(organisation_ids, year: int) -> dict:
    """For the yearly report: studios N (active), people received M (people served in the year's service
    records: bookings done and people received without one), 线上值班 K days (done duty days). 3 queries."""
    ids = list(organisation_ids)
    studios = Studio.objects.filter(organisation_id__in=ids, active=True).count()
    people = (
        ServiceRecord.objects.filter(
            organisation_id__in=ids, served_on__year=year, withdrawn=False
        ).aggregate(n=Sum("people_served"))["n"]
        or 0
    )
    duty_days = DutySlot.objects.filter(
        organisation_id__in=ids, day__year=year, status=DutySlot.Status.DONE
    ).count()
    return {
        "studios": studios,
        "people": people,
        "duty_days": duty_days,
        "sentence": f"委员工作室{studios}个，接待群众{people}人次；委员线上值班{duty_days}天",
    }


def organisation_ids(organisation) -> list[int]:
    """An organisation and its subtree (a county and its liaison groups; a city and its counties)."""
    from zhengxie.core.models import Organisation

    return list(Organisation.objects.filter(path__startswith=organisation.path).values_list("pk", flat=True))
