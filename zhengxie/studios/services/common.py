"""What the studios services share: loading a row the user may see (404 otherwise), text checks, the audit
entry, and the duty-record credit."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.textguard import has_control

from .. import rules as r


def today() -> datetime.date:
    return timezone.localdate()


def text(value, label: str, *, field: str, max_len: int, required: bool = True) -> str:
    """A stripped text, refused (422, the field named) when missing, too long or holding control characters."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise Invalid(f"{label}不能超过{max_len}个字。", field=field)
    if has_control(value):
        raise Invalid(f"{label}含有不可见的控制字符，请删除后重试。", field=field)
    return value


def as_day(value, label: str, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid(f"{label}格式有误（应为 YYYY-MM-DD）。", field=field)


def load(model, user, pk, *, lock: bool = True, may=r.can_view_row, message: str = "未找到。"):
    """The row, locked for the change; 404 when it does not exist or the user may not see it."""
    pk = getattr(pk, "pk", pk)
    qs = model.objects.select_related("organisation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        row = qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(message)
    if not may(user, row):
        raise NotFound(message)
    return row


def record(user, action: str, target, *, before=None, after=None) -> None:
    audit.record(
        user, f"studios.{action}", target, before=before, after=after, organisation=target.organisation
    )


def credit(member, act: str, source, day) -> None:
    from zhengxie.performance import services as perf

    perf.record_act(member=member, act=act, source=source, occurred_on=day)


def uncredit(member, act: str, source) -> None:
    from zhengxie.performance import services as perf

    perf.revoke_act(member=member, act=act, source=source)
