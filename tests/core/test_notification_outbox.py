"""A committed action is never reported as failed because its email / SMS could not be handed to the
queue: the message waits in the outbox (Notification.email_pending / sms_pending) and the hourly job
hands it over again (issue 16)."""

import datetime

from django.core import mail
from django.utils import timezone

from zhengxie.core import jobs
from zhengxie.core.models import Notification
from zhengxie.core.notifications import deliver, notify
from zhengxie.core.sms import LoggingSMSBackend


class _Queue:
    """Stands in for the task queue (django-tasks' Task is frozen)."""

    def __init__(self, error=None):
        self.error, self.calls = error, []

    def enqueue(self, ids):
        self.calls.append(ids)
        if self.error:
            raise self.error


def _broken_queue(monkeypatch):
    monkeypatch.setattr(
        "zhengxie.core.notifications.deliver_notifications_task", _Queue(RuntimeError("locked"))
    )


def test_a_queue_failure_after_commit_leaves_the_message_pending_not_an_error(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    _broken_queue(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify([user("member1")], "提案已立案", "您的提案已立案。", sms=True)
    note.refresh_from_db()
    assert note.email_pending and note.sms_pending and mail.outbox == []


def test_the_retry_job_sends_what_is_left_once(user, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(LoggingSMSBackend, "sent", [])
    member1 = user("member1")
    with django_capture_on_commit_callbacks(execute=True):
        monkeypatch.setattr(
            "zhengxie.core.notifications.deliver_notifications_task", _Queue()
        )  # lost on the way
        (note,) = notify([member1], "会议通知", "请按时参会。", url="/activities/1/", sms=True)
    monkeypatch.undo()
    monkeypatch.setattr(LoggingSMSBackend, "sent", [])
    # Too recent: the normal path may still deliver it.
    assert jobs.retry_notifications()["pending"] == 0
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert jobs.retry_notifications(now=later) == {"pending": 1, "handed_over": 1}
    assert [m.to for m in mail.outbox] == [[member1.email]] and "/activities/1/" in mail.outbox[0].body
    assert LoggingSMSBackend.sent == [(member1.phone, "【智慧政协】会议通知")]
    note.refresh_from_db()
    assert not note.email_pending and not note.sms_pending
    # Nothing is sent twice.
    assert deliver([note.pk]) == {"email": 0, "sms": 0, "failed": 0}
    assert jobs.retry_notifications(now=later)["pending"] == 0 and len(mail.outbox) == 1


def test_a_failed_send_is_flagged_again_for_the_retry(user, monkeypatch):
    note = Notification.objects.create(user=user("member1"), title="会议通知", email_pending=True)

    def fail(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("zhengxie.core.notifications.send_mail", fail)
    assert deliver([note.pk]) == {"email": 0, "sms": 0, "failed": 1}
    note.refresh_from_db()
    assert note.email_pending
