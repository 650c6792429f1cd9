"""A committed action answers success even when its email could not be handed to the task queue: the
message stays in the outbox for the retry job (issue 16, "writes that never fail falsely")."""

from django.urls import reverse

from zhengxie.core.models import Notification


class _DownQueue:
    def enqueue(self, ids):
        raise RuntimeError("database is locked")


def test_a_reminder_succeeds_although_the_queue_is_down(
    client_for, user, proposal_in, monkeypatch, django_capture_on_commit_callbacks
):
    p = proposal_in("assigned")
    monkeypatch.setattr("zhengxie.core.notifications.deliver_notifications_task", _DownQueue())
    before = Notification.objects.filter(user=user("handler1")).count()
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for("staff").post(reverse("proposals:simple_action", args=[p.pk, "remind"]), follow=True)
    assert r.status_code == 200 and "已发送催办提醒" in r.content.decode()
    notes = Notification.objects.filter(user=user("handler1")).order_by("-id")
    assert notes.count() == before + 1 and notes[0].email_pending
