"""Notify users: an in-app message always, email and SMS as background tasks after commit."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from .models import Notification, User
from .tasks import send_email_task, send_sms_task

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def external_delivery_muted():
    """Inbox messages only, no email or SMS: for loading demo data and bulk imports."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(
    users: Iterable[User],
    title: str,
    body: str = "",
    *,
    url: str = "",
    category: str = "",
    email: bool = True,
    sms: bool = False,
) -> list[Notification]:
    users = [u for u in {u.pk: u for u in users if u is not None}.values()]
    notes = Notification.objects.bulk_create(
        [Notification(user=u, title=title[:200], body=body, url=url, category=category) for u in users]
    )

    if _muted.get():
        return notes

    def deliver():
        for u in users:
            if email and u.email:
                send_email_task.enqueue([u.email], f"【智慧政协】{title}", f"{body}\n\n{url}".strip())
            if sms and u.phone:
                send_sms_task.enqueue(u.phone, f"【智慧政协】{title}")

    transaction.on_commit(deliver)
    return notes


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
