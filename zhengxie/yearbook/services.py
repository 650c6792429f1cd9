"""Computing, storing and reading a committee's year (registry.py describes the parts).

A county's page and a city's table read `Snapshot` rows; a snapshot older than `yearbook.max_age_minutes`
is recomputed on the next read, the hourly job recomputes this year's for every committee, and staff can
recompute their own at once (刷新). So a late reply or a changed scheme shows within the hour, and the page
says when its figures were counted.
"""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Forbidden, Invalid, NotFound
from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import acts_in, in_scope

from .models import Snapshot
from .registry import providers

orgsettings.register(
    "yearbook.max_age_minutes", 60, "年度工作数据：统计结果的有效时长（分钟），过期后再次打开页面时重新统计"
)

K = Organisation.Kind
COMMITTEE_KINDS = (K.PROVINCE, K.CITY, K.COUNTY)
READERS = (Role.LEADER, Role.STAFF, Role.SYSADMIN, Role.AUDITOR)
FIRST_YEAR = 2000


def check_year(year) -> int:
    today = timezone.localdate()
    if year in (None, ""):
        return today.year
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise Invalid("年度须为四位数字，如 2026。", field="year") from None
    if not FIRST_YEAR <= y <= today.year + 1:
        raise Invalid(f"年度须在 {FIRST_YEAR} 至 {today.year + 1} 之间。", field="year")
    return y


def may_read(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*READERS) and user.organisation_id


def committee_for(user, organisation=None) -> Organisation:
    """The committee whose year the user asks for: their own by default, or one below theirs (a city user's
    county, read-only). Anything else — no right, a sibling, unknown — is 404."""
    if not may_read(user):
        raise NotFound("未找到该统计。")
    if organisation in (None, ""):
        return user.organisation.committee
    org = organisation
    if not isinstance(org, Organisation):
        try:
            org = Organisation.objects.get(pk=int(organisation))
        except (Organisation.DoesNotExist, TypeError, ValueError):
            raise NotFound("未找到该统计。") from None
    if org.kind not in COMMITTEE_KINDS or not in_scope(user, org):
        raise NotFound("未找到该统计。")
    return org


def own_ids(committee: Organisation) -> list[int]:
    """The committee and its 乡镇联络组: the organisations whose work is the committee's own."""
    liaison = Organisation.objects.filter(
        path__startswith=committee.path, depth=committee.depth + 1, kind=K.LIAISON
    ).values_list("pk", flat=True)
    return [committee.pk, *liaison]


def committees_below(committee: Organisation) -> list[Organisation]:
    """The committees one level down (a city's counties, a province's cities), by code."""
    return list(
        Organisation.objects.filter(
            path__startswith=committee.path,
            depth=committee.depth + 1,
            kind__in=COMMITTEE_KINDS,
            is_active=True,
        ).order_by("code")
    )


def compute(committee: Organisation, year: int) -> list[dict]:
    """Every part of the committee's year, counted now from the modules' own tables."""
    ids = own_ids(committee)
    parts = []
    for p in providers():
        part = p.func(committee, ids, year)
        if part is not None:
            parts.append(part.as_dict())
    return parts


def refresh(committee: Organisation, year: int) -> Snapshot:
    start = time.perf_counter()
    parts = compute(committee, year)
    ms = int((time.perf_counter() - start) * 1000)
    snap, _ = Snapshot.objects.update_or_create(
        organisation=committee,
        year=year,
        defaults={"parts": parts, "computed_at": timezone.now(), "duration_ms": ms},
    )
    return snap


def _fresh(snap: Snapshot, now=None) -> bool:
    minutes = int(orgsettings.get(snap.organisation, "yearbook.max_age_minutes"))
    return snap.computed_at >= (now or timezone.now()) - datetime.timedelta(minutes=minutes)


def snapshots(
    committees: list[Organisation], year: int, *, recount_stale: bool = True
) -> dict[int, Snapshot]:
    """{committee id: its snapshot of the year}, one query for those stored and fresh; the others are
    counted now (the first visit of a year, or after the freshness ran out). A table of many committees
    passes recount_stale=False: it shows each stored snapshot with its own time (the hourly job keeps
    them fresh) and counts only the missing ones, so a page of 120 counties never recounts them all."""
    stored = {
        s.organisation_id: s
        for s in Snapshot.objects.filter(organisation__in=committees, year=year).select_related(
            "organisation"
        )
    }
    out = {}
    for c in committees:
        s = stored.get(c.pk)
        if s is None or (recount_stale and not _fresh(s)):
            s = refresh(c, year)
        out[c.pk] = s
    return out


def snapshot(committee: Organisation, year: int) -> Snapshot:
    return snapshots([committee], year)[committee.pk]


def recount(user, committee: Organisation, year: int) -> Snapshot:
    """刷新: the committee's own staff or leaders count its year again now."""
    if not acts_in(user, committee) or not may_recount(user):
        raise Forbidden("只有本级政协的工作人员或领导可以重新统计。")
    with transaction.atomic():
        snap = refresh(committee, year)
        audit.record(user, "yearbook.recount", snap, after={"year": year}, organisation=committee)
    return snap


def refresh_all(year: int | None = None) -> dict:
    """The hourly job: this year's figures of every active committee."""
    year = year or timezone.localdate().year
    n = 0
    for c in Organisation.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True).order_by("depth", "code"):
        refresh(c, year)
        n += 1
    return {"committees": n, "year": year}


def figure_map(parts: list[dict]) -> dict[str, dict]:
    """{"proposals.accepted": figure dict} over the parts of a snapshot."""
    return {f"{p['key']}.{f['key']}": f for p in parts for f in p["figures"]}


def may_recount(user) -> bool:
    return user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN)


def year_with_last(committee: Organisation, year: int) -> tuple[Snapshot, Snapshot]:
    """The year's snapshot and the one before it (for 同比), two reads when both are fresh."""
    stored = {
        s.year: s
        for s in Snapshot.objects.filter(organisation=committee, year__in=(year, year - 1)).select_related(
            "organisation"
        )
    }
    out = []
    for y in (year, year - 1):
        s = stored.get(y)
        if s is None or not _fresh(s):
            s = refresh(committee, y)
        out.append(s)
    return out[0], out[1]
