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


def committee_of(organisation):
    """Schemes belong to committees; a liaison group uses its committee's."""
    if organisation is not None and organisation.kind == organisation.Kind.LIAISON:
        return organisation.get_parent()
    return organisation


def saved_scheme(organisation_id: int, year: int) -> ScoringScheme | None:
    return (ScoringScheme.objects.prefetch_related("rules")
            .filter(organisation_id=organisation_id, year=year).first())


def resolve(organisation_id: int, year: int) -> Resolved:
    """The organisation's scheme for the year, or the built-in default when it has none (2 queries)."""
    scheme = saved_scheme(organisation_id, year)
    if scheme is None:
        return Resolved.from_template(schemes.DEFAULT)
    return Resolved.from_template(scheme.as_data(), scheme_id=scheme.pk)


def act_sums_for_member(member_id: int, year: int) -> tuple[dict[str, Decimal], int]:
    rows = (DutyRecord.objects.filter(member_id=member_id, year=year, voided=False)
            .values_list("act").annotate(s=Sum("points"), n=Count("id")).order_by())
    sums, count = {}, 0
    for act, s, n in rows:
        sums[act] = Decimal(s or 0)
        count += n
    return sums, count


def _score_fields(scheme: Resolved, sums, count) -> dict:
    score = scheme.compute(sums)
    return {"total": score.total, "by_category": score.by_category_json(), "grade": score.grade,
            "passed": score.passed, "record_count": count}


def lock_member_year(member, year: int) -> MemberYearScore:
    """Get (creating if needed) and lock the member's score row: serialises writers per member and year."""
    row, _ = MemberYearScore.objects.get_or_create(
        member_id=member.pk, year=year,
        defaults={"organisation_id": member.organisation_id, "sector_id": member.sector_id,
                  "liaison_group_id": member.liaison_group_id})
    return MemberYearScore.objects.select_for_update().get(pk=row.pk)


def refresh_member(member, year: int, scheme: Resolved | None = None, row: MemberYearScore | None = None):
    """Recompute one member's total for a year from their records (call inside a transaction)."""
    scheme = scheme or resolve(member.organisation_id, year)
    row = row or lock_member_year(member, year)
    sums, count = act_sums_for_member(member.pk, year)
    for k, v in _score_fields(scheme, sums, count).items():
        setattr(row, k, v)
    row.organisation_id = member.organisation_id
    row.sector_id = member.sector_id
    row.liaison_group_id = member.liaison_group_id
    row.save()
    return row


def year_act_sums(organisation_id: int, year: int) -> tuple[dict[int, dict[str, Decimal]], dict[int, int]]:
    """member_id -> {act: sum of points}, and member_id -> record count: ONE aggregate query."""
    rows = (DutyRecord.objects.filter(organisation_id=organisation_id, year=year, voided=False)
            .values_list("member_id", "act").annotate(s=Sum("points"), n=Count("id")).order_by())
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    counts: dict[int, int] = defaultdict(int)
    for member_id, act, s, n in rows:
        sums[member_id][act] = Decimal(s or 0)
        counts[member_id] += n
    return sums, counts


def recompute_year(organisation_id: int, year: int, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every MemberYearScore of the organisation for the year from the records.

    Members counted: active members plus anyone with records that year. Returns how many scores.
    """
    progress = progress or (lambda p: None)
    scheme = resolve(organisation_id, year)
    sums, counts = year_act_sums(organisation_id, year)
    progress(40)
    members = list(Member.objects.filter(organisation_id=organisation_id)
                   .filter(Q(status=Member.Status.ACTIVE) | Q(pk__in=list(sums)))
                   .values_list("pk", "sector_id", "liaison_group_id"))
    rows = []
    for pk, sector_id, liaison_id in members:
        fields = _score_fields(scheme, sums.get(pk, {}), counts.get(pk, 0))
        rows.append(MemberYearScore(member_id=pk, organisation_id=organisation_id, year=year,
                                    sector_id=sector_id, liaison_group_id=liaison_id, **fields))
    progress(70)
    with transaction.atomic():
        _delete_year(organisation_id, year, rows)
        MemberYearScore.objects.bulk_create(rows, batch_size=1000)
    progress(100)
    return len(rows)


def _delete_year(organisation_id, year, rows):
    MemberYearScore.objects.filter(organisation_id=organisation_id, year=year).delete()
    # A member who moved in from another organisation may still hold a row filed under the old one.
    moved = list(MemberYearScore.objects.filter(year=year, member__organisation_id=organisation_id)
                 .exclude(organisation_id=organisation_id).values_list("pk", flat=True))
    if moved:
        MemberYearScore.objects.filter(pk__in=moved).delete()


def revalue_records(organisation_id: int, year: int, new: Resolved, old: Resolved | None = None) -> int:
    """Set points/category of scheme-valued records to the new scheme. One UPDATE per changed (act, share)."""
    pairs = (DutyRecord.objects.filter(organisation_id=organisation_id, year=year, points_fixed=False)
             .values_list("act", "share").distinct().order_by())
    changed = 0
    for act, share in pairs:
        rule = new.rule_for(act)
        if old is not None:
            prev = old.rule_for(act)
            if prev.points == rule.points and prev.category == rule.category:
                continue
        changed += DutyRecord.objects.filter(
            organisation_id=organisation_id, year=year, act=act, share=share, points_fixed=False,
        ).update(points=q(rule.points * Decimal(share)), category=rule.category)
    return changed
