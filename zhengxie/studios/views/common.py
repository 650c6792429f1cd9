"""What the studios pages share: 404 for a page the role has no business with, service errors on forms,
month arguments, file answers."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.utils import timezone

from zhengxie.core.errors import ServiceError

# service field name -> form field name
FIELD_NAMES = {"member_ids": "members", "studio_id": "studio", "member_id": None}


def need(cond: bool) -> None:
    if not cond:
        raise Http404("未找到")


def fail(request, exc: ServiceError, form=None) -> None:
    """A service's message next to its field (or above the form), or as a page message without a form."""
    if form is not None:
        name = FIELD_NAMES.get(exc.field, exc.field)
        form.add_error(name if name in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)


def run_action(request, actions: dict, action: str, row) -> None:
    """A posted step on a row from a table {action: (done message, run(user, row, POST))}: the service's
    message shown when it refuses, the done message otherwise (the caller redirects)."""
    done, run = actions[action]
    try:
        run(request.user, row, request.POST)
    except ServiceError as exc:
        fail(request, exc)
    else:
        messages.success(request, done)


def month_arg(value) -> tuple[int, int]:
    """?month=YYYY-MM (this month when missing or wrong)."""
    try:
        y, m = (int(x) for x in str(value or "").split("-"))
        datetime.date(y, m, 1)
        if 2000 <= y <= 2100:
            return y, m
    except (TypeError, ValueError):
        pass
    today = timezone.localdate()
    return today.year, today.month


def shift(year: int, month: int, by: int) -> str:
    n = year * 12 + month - 1 + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def year_arg(value) -> int:
    this = timezone.localdate().year
    try:
        y = int(value)
    except (TypeError, ValueError):
        return this
    return y if this - 10 <= y <= this + 1 else this


def file_response(content: bytes, content_type: str, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return resp
