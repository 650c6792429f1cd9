"""SMS on a 为民服务超市 booking (issue 10): the member booked is told on the site and by SMS (the platform's
notification outbox); the citizen who agreed to it gets the member's answer — accepted or declined, with the
reason — by SMS on the booking's number, once, through the configured SMS backend (the logging backend's
outbox in tests). The number stays encrypted at rest and never appears in the logs or the audit log."""

import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhengxie.core import sms
from zhengxie.core.models import AuditEntry
from zhengxie.core.sms import LoggingSMSBackend
from zhengxie.studios import jobs, services
from zhengxie.studios.models import Booking

from .conftest import BOOKING

PHONE = BOOKING["phone"]


@pytest.fixture(autouse=True)
def outbox():
    LoggingSMSBackend.sent.clear()
    yield LoggingSMSBackend.sent
    LoggingSMSBackend.sent.clear()


def _book(offer, capture, **extra):
    with capture(execute=True):
        r = Client().post(reverse("studios:public_offer", args=[offer.pk]), {**BOOKING, **extra})
    assert r.status_code == 200, r.content.decode()[:500]
    return Booking.objects.latest("id")


def _to(phone, outbox):
    return [text for to, text in outbox if to == phone]


def test_the_member_is_told_by_sms_and_the_citizen_gets_the_acceptance(
    offer, user, client_for, django_capture_on_commit_callbacks, outbox, caplog
):
    caplog.set_level(logging.DEBUG)
    m1 = user("member1")
    assert m1.phone
    page = Client().get(reverse("studios:public_offer", args=[offer.pk])).content.decode()
    assert 'name="sms"' in page and "发短信告诉我结果" in page
    b = _book(offer, django_capture_on_commit_callbacks, sms="on")
    assert b.sms_ok and b.sms_pending == ""
    # the member: a message on the site and an SMS through the outbox
    assert m1.notifications.filter(title__contains="新的为民服务预约").exists()
    assert _to(m1.phone, outbox) == [f"【智慧政协】新的为民服务预约：{offer.title}"]
    assert _to(PHONE, outbox) == []  # nothing to the citizen yet

    with django_capture_on_commit_callbacks(execute=True):
        r = client_for("member1").post(
            reverse("studios:booking_action", args=[b.pk, "accept"]), {"reason": "周六上午在工作室等您"}
        )
    assert r.status_code == 302
    (text,) = _to(PHONE, outbox)
    assert text.startswith("【智慧政协】您预约的") and "已受理" in text and m1.member.name in text
    assert "周六上午在工作室等您" in text and b.code in text
    b.refresh_from_db()
    assert b.status == "accepted" and b.sms_pending == ""
    # sent once: the retry job finds nothing owed
    assert jobs.retry_booking_sms() == "0 条短信" and len(_to(PHONE, outbox)) == 1

    # the number is encrypted at rest, and no log line or audit entry holds it
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM studios_booking WHERE id = %s", [b.pk])
        assert PHONE not in str(cur.fetchone()[0])
    assert PHONE not in caplog.text
    for entry in AuditEntry.objects.filter(target_id=str(b.pk), action__startswith="studios.booking"):
        assert PHONE not in f"{entry.before} {entry.after}"


def test_a_decline_is_sent_with_its_reason_by_the_api_too(
    offer, api_for, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(
            "/api/v1/public/bookings",
            {**BOOKING, "consent": True, "sms": True, "service_id": offer.pk},
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    b = Booking.objects.get(code=r.json()["booking_code"])
    assert b.sms_ok
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for("member1").post(
            f"/api/v1/bookings/{b.pk}/decline",
            {"reason": "该时段已约满，请改约下周"},
            content_type="application/json",
        )
    assert r.status_code == 200
    (text,) = _to(PHONE, outbox)
    assert "很抱歉" in text and "未能受理" in text and "该时段已约满，请改约下周" in text and b.code in text


def test_no_sms_to_a_citizen_who_did_not_ask_for_it(
    offer, client_for, django_capture_on_commit_callbacks, outbox
):
    b = _book(offer, django_capture_on_commit_callbacks)  # the SMS box left unticked
    assert not b.sms_ok
    with django_capture_on_commit_callbacks(execute=True):
        client_for("member1").post(
            reverse("studios:booking_action", args=[b.pk, "decline"]), {"reason": "不便"}
        )
    b.refresh_from_db()
    assert b.status == "declined" and b.sms_pending == "" and _to(PHONE, outbox) == []


def test_a_failed_gateway_keeps_the_sms_owed_and_the_hourly_job_sends_it_once(
    offer, user, monkeypatch, django_capture_on_commit_callbacks, outbox
):
    b = _book(offer, django_capture_on_commit_callbacks, sms="on")

    class Down(LoggingSMSBackend):
        def send(self, phone, text):
            raise ConnectionError("gateway down")

    monkeypatch.setattr(sms, "get_backend", lambda: Down())
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_accept(user=user("member1"), booking=b.pk)
    b.refresh_from_db()
    assert b.status == "accepted" and b.sms_pending == "accepted"  # the answer stands; the SMS is owed
    monkeypatch.undo()
    assert jobs.retry_booking_sms() == "1 条短信"
    assert jobs.retry_booking_sms() == "0 条短信"
    (text,) = _to(PHONE, outbox)
    assert "已受理" in text
    b.refresh_from_db()
    assert b.sms_pending == ""


def test_the_retry_job_is_registered():
    from zhengxie.core.scheduler import JOBS

    assert "studios.retry_booking_sms" in JOBS
