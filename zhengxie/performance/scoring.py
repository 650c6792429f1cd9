"""The scoring engine: resolve an organisation's scheme for a year, keep one member's running total up to
date, recompute a whole year from the records (one aggregate query grouped by member and act), and
re-value records when a scheme changes (one UPDATE per (act, share) pair, never per record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from zhengxie.members.models import Member

from . import schemes
from .models import DutyRecord, MemberYearScore, ScoringScheme
from .schemes import Resolved, q

# `voided IN (false)` rather than `NOT voided`: SQLite uses an equality (and so the rest of a composite
# index, with its order for GROUP BY) only for `=`/`IN`, and reads `NOT col` as a filter.
LIVE = {"voided__in": [False]}


def saved_scheme(organisation_id: int, year: int) -> ScoringScheme | None:
    return (
        ScoringScheme.objects.prefetch_related("rules")
        .filter(organisation_id=organisation_id, year=year)
        .first()
    )


_CACHE: dict[tuple[int, int], tuple[object, Resolved]] = {}


def resolve(organisation_id: int, year: int) -> Resolved:
    """The organisation's scheme for the year, or the built-in default when it has none.

    One small query checks the saved scheme's version (pk, updated_at); the rules are read again only
    when it changed, so record_act does not reload the rule table for every act. Rules change only
    through services.scheme_save, which saves the scheme (a new updated_at) in the same transaction.
    """
    version = (
        ScoringScheme.objects.filter(organisation_id=organisation_id, year=year)
        .values_list("pk", "updated_at")
        .first()
    )
    key = (organisation_id, year)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    if version is None:
        resolved = Resolved.from_template(schemes.DEFAULT)
    else:
        scheme = saved_scheme(organisation_id, year)
        resolved = (
            Resolved.from_template(scheme.as_data(), scheme_id=scheme.pk)
            if scheme is not None
            else Resolved.from_template(schemes.DEFAULT)
        )
        version = (scheme.pk, scheme.updated_at) if scheme is not None else None
    if len(_CACHE) > 500:
        _CACHE.clear()
    _CACHE[key] = (version, resolved)
    return resolved


def _cents(x) -> int:
    return int((Decimal(x) * 100).to_integral_value())


def _sums(rows_by_share, rows_fixed, scheme: Resolved):
    """Fold the two aggregates into member_id -> {act: points in cents} and member_id -> record count.

    Scheme-valued records are counted per (act, share): their points are count × round(rule points × share),
    exactly what record_act stores per record, but read from the scheme in force now — so a scheme change
    is right at once, before (and whether or not) the stored points are re-valued. Records with points
    given by the caller are summed as stored. Integer cents keep this fast for a whole organisation.
    """
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, int] = defaultdict(int)
    unit: dict[tuple[str, object], int] = {}
    for member_id, act, share, n in rows_by_share:
        key = (act, share)
        u = unit.get(key)
        if u is None:
            u = unit[key] = _cents(q(scheme.rule_for(act).points * Decimal(share)))
        sums[member_id][act] += u * n
        counts[member_id] += n
    for member_id, act, s, n in rows_fixed:
        sums[member_id][act] += _cents(s or 0)
        counts[member_id] += n
    return sums, counts


def _aggregates(qs):
    """Two aggregate queries (index-only on duty_org_year_cover / duty_member_year), never one per member."""
    by_share = (
        qs.filter(points_fixed__in=[False])
        .values_list("member_id", "act", "share")
        .annotate(n=Count("*"))
        .order_by()
    )
    fixed = (
        qs.filter(points_fixed__in=[True])
        .values_list("member_id", "act")
        .annotate(s=Sum("points"), n=Count("*"))
        .order_by()
    )
    return by_share, fixed


def act_sums_for_member(member_id: int, year: int, scheme: Resolved | None = None):
    """({act: points}, record count) of one member's live records in a year."""
    if scheme is None:
        org_id = Member.objects.filter(pk=member_id).values_list("organisation_id", flat=True).first()
        scheme = resolve(org_id, year)
    by_share, fixed = _aggregates(DutyRecord.objects.filter(member_id=member_id, year=year, **LIVE))
    sums, counts = _sums(by_share, fixed, scheme)
    return {a: Decimal(c).scaleb(-2) for a, c in sums.get(member_id, {}).items()}, counts.get(member_id, 0)


def record_points(record: DutyRecord, scheme: Resolved) -> Decimal:
    """What one record counts for under the scheme in force (before caps)."""
    if record.points_fixed:
        return record.points
    return q(scheme.rule_for(record.act).points * Decimal(record.share))


def _score_fields(scheme: Resolved, sums: dict[str, Decimal], count) -> dict:
    """One member (record_act's path): the full computation, as the archive shows it."""
    score = scheme.compute(sums)
    return {
        "total": score.total,
        "by_category": score.by_category_json(),
        "grade": score.grade,
        "passed": score.passed,
        "record_count": count,
    }


def _score_fields_cents(scheme: Resolved, cents: dict[str, int], count) -> dict:
    """A whole organisation (recompute's path): the same arithmetic on integer cents."""
    total, by_category, grade, passed = scheme.compute_cents(cents)
    return {
        "total": total,
        "by_category": by_category,
        "grade": grade,
        "passed": passed,
        "record_count": count,
    }


def lock_member_year(member, year: int) -> MemberYearScore:
    """Get (creating if needed) and lock the member's score row: serialises writers per member and year."""
    row, _ = MemberYearScore.objects.get_or_create(
        member_id=member.pk,
        year=year,
        defaults={
            "organisation_id": member.organisation_id,
            "sector_id": member.sector_id,
            "liaison_group_id": member.liaison_group_id,
        },
    )
    return MemberYearScore.objects.select_for_update().get(pk=row.pk)


def refresh_member(member, year: int, scheme: Resolved | None = None, row: MemberYearScore | None = None):
    """Recompute one member's total for a year from their records (call inside a transaction)."""
    scheme = scheme or resolve(member.organisation_id, year)
    row = row or lock_member_year(member, year)
    sums, count = act_sums_for_member(member.pk, year, scheme)
    for k, v in _score_fields(scheme, sums, count).items():
        setattr(row, k, v)
    row.organisation_id = member.organisation_id
    row.sector_id = member.sector_id
    row.liaison_group_id = member.liaison_group_id
    row.save()
    return row


def year_act_sums(organisation_id: int, year: int, scheme: Resolved):
    """member_id -> {act: points in cents}, and member_id -> record count, for an organisation and year."""
    by_share, fixed = _aggregates(
        DutyRecord.objects.filter(organisation_id=organisation_id, year=year, **LIVE)
    )
    return _sums(by_share, fixed, scheme)


def recompute_year(organisation_id: int, year: int, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every MemberYearScore of the organisation for the year from the records.

    Members counted: active members plus anyone with records that year. Returns how many scores.
    """
    progress = progress or (lambda p: None)
    scheme = resolve(organisation_id, year)
    sums, counts = year_act_sums(organisation_id, year, scheme)
    progress(40)
    members = list(
        Member.objects.filter(organisation_id=organisation_id)
        .filter(Q(status=Member.Status.ACTIVE) | Q(pk__in=list(sums)))
        .values_list("pk", "sector_id", "liaison_group_id")
    )
    rows = []
    for pk, sector_id, liaison_id in members:
        fields = _score_fields_cents(scheme, sums.get(pk, {}), counts.get(pk, 0))
        rows.append(
            MemberYearScore(
                member_id=pk,
                organisation_id=organisation_id,
                year=year,
                sector_id=sector_id,
                liaison_group_id=liaison_id,
                **fields,
            )
        )
    progress(70)
    with transaction.atomic():
        _delete_year(organisation_id, year, rows)
        MemberYearScore.objects.bulk_create(rows, batch_size=1000)
    progress(100)
    return len(rows)


def _delete_year(organisation_id, year, rows):
    MemberYearScore.objects.filter(organisation_id=organisation_id, year=year).delete()
    # A member who moved in from another organisation may still hold a row filed under the old one.
    moved = list(
        MemberYearScore.objects.filter(year=year, member__organisation_id=organisation_id)
        .exclude(organisation_id=organisation_id)
        .values_list("pk", flat=True)
    )
    if moved:
        MemberYearScore.objects.filter(pk__in=moved).delete()


def revalue_records(
    organisation_id: int,
    year: int,
    scheme: Resolved | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bring the stored points/category of scheme-valued records in line with the scheme in force.

    Totals never wait for this (they are computed from counts per share, see `_sums`); it keeps each
    record's own figure right for anyone reading the table. One UPDATE per (act, share) pair, touching
    only rows that differ, so it is idempotent and cheap when few rules changed.
    """
    scheme = scheme or resolve(organisation_id, year)
    pairs = list(
        DutyRecord.objects.filter(organisation_id=organisation_id, year=year, points_fixed=False)
        .values_list("act", "share")
        .distinct()
        .order_by()
    )
    changed = 0
    for i, (act, share) in enumerate(pairs, 1):
        rule = scheme.rule_for(act)
        value = q(rule.points * Decimal(share))
        changed += (
            DutyRecord.objects.filter(
                organisation_id=organisation_id, year=year, act=act, share=share, points_fixed=False
            )
            .filter(~Q(points=value) | ~Q(category=rule.category))
            .update(points=value, category=rule.category)
        )
        if progress:
            progress(i * 100 // len(pairs))
    return changed
