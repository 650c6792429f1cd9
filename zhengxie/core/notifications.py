"""Notify users: an in-app message always, email and SMS through an outbox delivered in the background."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from . import sms
from .models import Notification, User
from .tasks import deliver_notifications_task

logger = logging.getLogger("zhengxie.notifications")

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


_SENTENCE_END = tuple("。！？!?…；;")


def sentence(text: str) -> str:
    """A user's words as one sentence of a message: 。 added only when they do not already end one
    (so "希望重新办理。" is not followed by a second 。)."""
    text = (text or "").rstrip()
    return text if not text or text.endswith(_SENTENCE_END) else text + "。"


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
    """An in-app message for each user, written in the caller's transaction; the email / SMS it owes is
    marked on the same row (the outbox) and handed to a background task after commit. Handing it over
    may fail (the queue is down, SQLite is busy): the action has committed, so the caller is never told
    it failed; the message stays pending and core.jobs.retry_notifications sends it later."""
    users = [u for u in {u.pk: u for u in users if u is not None}.values()]
    muted = _muted.get()
    notes = Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                title=title[:200],
                body=body,
                url=url,
                category=category,
                email_pending=not muted and email and bool(u.email),
                sms_pending=not muted and sms and bool(u.phone),
            )
            for u in users
        ]
    )
    ids = [n.pk for n in notes if n.email_pending or n.sms_pending]
    if ids:
        transaction.on_commit(lambda: hand_over(ids), robust=True)
    return notes


def hand_over(ids: list[int]) -> bool:
    """Enqueue the delivery of these messages; a failure is logged (no content, no address) and left to
    the retry job."""
    try:
        deliver_notifications_task.enqueue(ids)
    except Exception:
        logger.warning("通知外发入队失败，%d 条消息待重试", len(ids), exc_info=True)
        return False
    return True


def deliver(ids) -> dict:
    """Send the email / SMS still owed for these messages. Each is claimed by clearing its flag first
    (so two workers never both send it) and flagged again if sending fails."""
    sent = {"email": 0, "sms": 0, "failed": 0}
    notes = (
        Notification.objects.filter(pk__in=ids)
        .filter(Q(email_pending=True) | Q(sms_pending=True))
        .select_related("user")
    )
    for n in notes:
        for field, channel in (("email_pending", "email"), ("sms_pending", "sms")):
            if not getattr(n, field):
                continue
            if not Notification.objects.filter(pk=n.pk, **{field: True}).update(**{field: False}):
                continue  # another worker has it
            try:
                _send(channel, n)
                sent[channel] += 1
            except Exception:
                Notification.objects.filter(pk=n.pk).update(**{field: True})
                logger.warning("通知外发失败（%s），消息 %s 待重试", channel, n.pk, exc_info=True)
                sent["failed"] += 1
    return sent


def _send(channel: str, n: Notification) -> None:
    subject = f"【智慧政协】{n.title}"
    if channel == "email":
        if n.user.email:
            send_mail(subject, f"{n.body}\n\n{n.url}".strip(), None, [n.user.email], fail_silently=False)
    elif n.user.phone:
        sms.get_backend().send(n.user.phone, subject)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
