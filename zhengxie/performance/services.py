"""State changes of duty performance. `record_act` / `revoke_act` are what other apps call.

The calling service (proposals, activities ...) already checks permissions and writes its own audit
entry for the act; record_act only turns the act into a DutyRecord and keeps the running total.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengxie.core.errors import Invalid

from . import acts as A
from . import scoring
from .models import DutyRecord
from .schemes import q


def _source_key(source):
    if source is None:
        return None, ""
    if source.pk is None:
        raise Invalid("履职记录的来源尚未保存。")
    return ContentType.objects.get_for_model(source, for_concrete_model=False), str(source.pk)


def _as_date(value) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def record_act(*, member, act: str, source=None, occurred_on=None, points=None, confirmed_by=None,
               note: str = "", share: float = 1.0) -> DutyRecord | None:
    """The ONE way a scored act becomes a DutyRecord. `act` is a code from acts.ACTS.

    Idempotent per (member, act, source): a second call returns the existing record. Points come from
    the member's organisation's scheme for the year of `occurred_on` unless `points` is given; `share`
    splits them (joint proposals). Caps are applied when totals are computed, not by dropping records.
    Returns None when there is no member (e.g. a collective proposal with no member behind it).
    """
    if member is None:
        return None
    if act not in A.ACTS:
        raise Invalid(f"未知的履职事项：{act}")
    try:
        share_d = Decimal(str(share)).quantize(Decimal("0.0001"))
        fixed = None if points is None else Decimal(str(points))
    except (InvalidOperation, ValueError):
        raise Invalid("积分或分享比例不是有效数字。")
    if not (Decimal(0) <= share_d <= Decimal(1)):
        raise Invalid("分享比例须在 0 到 1 之间。")
    ct, source_id = _source_key(source)
    day = _as_date(occurred_on)
    year = day.year

    def existing():
        if ct is None:
            return None
        return DutyRecord.objects.filter(member_id=member.pk, act=act, source_ct=ct, source_id=source_id,
                                         voided=False).first()

    with transaction.atomic():
        row = scoring.lock_member_year(member, year)
        found = existing()
        if found is not None:
            return found
        scheme = scoring.resolve(member.organisation_id, year)
        rule = scheme.rule_for(act)
        record = DutyRecord(
            member_id=member.pk, organisation_id=member.organisation_id, year=year, act=act,
            category=rule.category, points=q((fixed if fixed is not None else rule.points) * share_d),
            share=share_d, points_fixed=fixed is not None, source_ct=ct, source_id=source_id,
            source_repr=str(source)[:200] if source is not None else "", occurred_on=day,
            confirmed_by=confirmed_by, note=(note or "")[:200],
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # a concurrent caller recorded it first
            found = existing()
            if found is None:
                raise
            return found
        scoring.refresh_member(member, year, scheme, row)
    return record


def revoke_act(*, member, act: str, source) -> None:
    """Void the live record of (member, act, source), e.g. when attendance is corrected. No-op if none."""
    if member is None:
        return
    ct, source_id = _source_key(source)
    with transaction.atomic():
        records = list(DutyRecord.objects.filter(member_id=member.pk, act=act, source_ct=ct, source_id=source_id,
                                                 voided=False))
        if not records:
            return
        now = timezone.now()
        DutyRecord.objects.filter(pk__in=[r.pk for r in records]).update(voided=True, voided_at=now)
        for year in sorted({r.year for r in records}):
            scoring.refresh_member(member, year)
