"""The 为民服务超市 journey: a citizen books without an account, the member accepts and records what was
done, a DutyRecord follows; by the pages and by the API. Safety: honeypot, rate limit, capacity, HTML as
text, phone masked except to the member booked and the office."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.navigation import todos_for
from zhengxie.performance import acts as A
from zhengxie.performance.models import DutyRecord
from zhengxie.studios import services
from zhengxie.studios.models import Booking, ServiceRecord

from .conftest import BOOKING

TODAY = timezone.localdate()


def _book(offer, **extra):
    r = Client().post(reverse("studios:public_offer", args=[offer.pk]), {**BOOKING, **extra})
    return r


def test_booking_journey_through_the_pages(offer, user, client_for):
    # The citizen: no account, the service page and its form.
    page = Client().get(reverse("studios:public_offer", args=[offer.pk]))
    assert page.status_code == 200 and offer.title in page.content.decode()
    r = _book(offer)
    assert r.status_code == 200
    b = Booking.objects.latest("id")
    assert b.code in r.content.decode() and b.status == "pending" and b.phone == "13912345678"
    # The member: told, a to-do, the booking's page with the phone in full.
    m1 = user("member1")
    assert m1.notifications.filter(title__contains="新的为民服务预约").exists()
    assert {t["label"]: t["count"] for t in todos_for(m1)}["待处理的为民服务预约"] >= 1
    c = client_for("member1")
    assert b.name in c.get(reverse("studios:mine")).content.decode()
    detail = c.get(reverse("studios:booking", args=[b.pk])).content.decode()
    assert "13912345678" in detail
    assert (
        c.post(
            reverse("studios:booking_action", args=[b.pk, "accept"]), {"reason": "周六上午在工作室等您"}
        ).status_code
        == 302
    )
    r = c.post(
        reverse("studios:booking_action", args=[b.pk, "record"]),
        {"served_on": TODAY.isoformat(), "people_served": "2", "summary": "当面解答了劳动争议问题"},
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == "done"
    rec = ServiceRecord.objects.get(booking=b)
    assert rec.people_served == 2
    duty = DutyRecord.objects.get(act=A.PUBLIC_SERVICE, source_id=str(rec.pk), voided=False)
    assert duty.member_id == m1.member.pk
    # The citizen follows it by the code (posted, never in the URL).
    r = Client().post(reverse("studios:public_booking"), {"code": b.code.lower()})
    assert (
        r.status_code == 200
        and "已服务" in r.content.decode()
        and "周六上午在工作室等您" in r.content.decode()
    )


def test_booking_journey_through_the_api(offer, user, api_for):
    anon = Client()
    r = anon.post(
        "/api/v1/public/bookings",
        {"service_id": offer.pk, "name": "李先生", "phone": "13800001111", "consent": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"booking_code", "status"} and body["status"] == "pending"
    code = body["booking_code"]
    got = anon.get(f"/api/v1/public/bookings/{code}").json()
    assert got["status"] == "pending" and "phone" not in got and "name" not in got
    assert anon.get("/api/v1/public/bookings/ZZZZZZZZZZ").status_code == 404
    b = Booking.objects.get(code=code)
    api = api_for("member1")
    mine = api.get("/api/v1/bookings?status=pending").json()
    assert b.pk in [x["id"] for x in mine["items"]]
    assert (
        api.post(f"/api/v1/bookings/{b.pk}/accept", {}, content_type="application/json").json()["status"]
        == "accepted"
    )
    r = api.post(
        f"/api/v1/bookings/{b.pk}/record",
        {"served_on": TODAY.isoformat(), "summary": "电话咨询", "people_served": 1},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["record"]["people_served"] == 1
    assert DutyRecord.objects.filter(
        act=A.PUBLIC_SERVICE, member=user("member1").member, voided=False
    ).exists()
    # Recording twice is refused (409), and a decline needs a reason (422).
    again = api.post(
        f"/api/v1/bookings/{b.pk}/record",
        {"served_on": TODAY.isoformat(), "summary": "x", "people_served": 1},
        content_type="application/json",
    )
    assert again.status_code == 409
    other = services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    r = api.post(f"/api/v1/bookings/{other.pk}/decline", {"reason": " "}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "reason"


def test_the_citizen_may_cancel_by_code(offer):
    b = services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    r = Client().post(reverse("studios:public_booking"), {"code": b.code, "cancel": "1"})
    assert r.status_code == 200
    b.refresh_from_db()
    assert b.status == "cancelled"


def test_form_keeps_what_was_typed_and_says_what_is_wrong(offer):
    r = _book(offer, phone="12345", consent="")
    assert r.status_code == 422
    html = r.content.decode()
    assert "请填写正确的11位手机号" in html and "请阅读并同意个人信息使用说明" in html
    assert 'value="王女士"' in html and "想咨询劳动争议" in html
    assert not Booking.objects.filter(phone="12345").exists()


def test_a_filled_honeypot_stores_nothing_but_looks_the_same(offer):
    n = Booking.objects.count()
    r = _book(offer, website="http://spam.example")
    assert r.status_code == 200 and "预约已提交" in r.content.decode()
    assert Booking.objects.count() == n


def test_rate_limit_per_address_on_pages_and_api(offer):
    for _ in range(10):
        assert _book(offer).status_code == 200
    assert _book(offer).status_code == 429
    r = Client().post(
        "/api/v1/public/bookings",
        {"service_id": offer.pk, "name": "李先生", "phone": "13800001111", "consent": True},
        content_type="application/json",
    )
    assert r.status_code == 429 and "每小时最多提交10次" in r.json()["detail"]
    # Another address is not affected.
    r = Client(REMOTE_ADDR="10.0.0.9").post(
        "/api/v1/public/bookings",
        {"service_id": offer.pk, "name": "李先生", "phone": "13800001111", "consent": True},
        content_type="application/json",
    )
    assert r.status_code == 201


def test_a_full_service_refuses_more_bookings(offer):
    open_now = Booking.objects.filter(offer=offer, status__in=["pending", "accepted"]).count()
    offer.capacity = open_now + 1
    offer.save()
    services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    r = _book(offer)
    assert r.status_code == 409 and "预约已满" in r.content.decode()


def test_html_in_a_booking_is_shown_as_text(offer, client_for):
    _book(offer, name="<b>坏人</b>", note="<script>alert(1)</script>")
    b = Booking.objects.latest("id")
    html = client_for("member1").get(reverse("studios:booking", args=[b.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>坏人</b>" not in html


def test_phone_is_masked_for_readers_other_than_the_member_and_the_office(offer, client_for, api_for):
    b = services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    assert "13700002222" in client_for("office").get(reverse("studios:booking", args=[b.pk])).content.decode()
    html = client_for("leader").get(reverse("studios:booking", args=[b.pk])).content.decode()
    assert "13700002222" not in html and "137****2222" in html
    assert api_for("leader").get(f"/api/v1/bookings/{b.pk}").json()["phone"] == "137****2222"
    # Another member sees nothing of it; a leader may read but not act.
    assert client_for("member2").get(reverse("studios:booking", args=[b.pk])).status_code == 404
    assert (
        api_for("leader")
        .post(f"/api/v1/bookings/{b.pk}/accept", {}, content_type="application/json")
        .status_code
        == 403
    )


def test_withdrawing_a_record_voids_its_credit_and_reopens_the_booking(offer, user):
    m1 = user("member1")
    b = services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    services.booking_accept(user=m1, booking=b)
    rec = services.booking_record(user=m1, booking=b, served_on=TODAY, summary="已服务", people_served=1)
    services.service_record_withdraw(user=m1, record_id=rec.pk)
    b.refresh_from_db()
    assert b.status == "accepted"
    assert not DutyRecord.objects.filter(act=A.PUBLIC_SERVICE, source_id=str(rec.pk), voided=False).exists()
    rec2 = services.booking_record(user=m1, booking=b, served_on=TODAY, summary="再次登记", people_served=1)
    assert rec2.pk != rec.pk


def test_walk_in_record_from_my_page(client_for, user):
    c = client_for("member1")
    r = c.post(
        reverse("studios:record_create"),
        {"served_on": TODAY.isoformat(), "people_served": "5", "summary": "接待日来访"},
    )
    assert r.status_code == 302
    rec = ServiceRecord.objects.latest("id")
    assert rec.people_served == 5 and rec.booking_id is None
    assert DutyRecord.objects.filter(act=A.PUBLIC_SERVICE, source_id=str(rec.pk)).exists()
    bad = c.post(
        reverse("studios:record_create"),
        {"served_on": "2999-01-01", "people_served": "5", "summary": "接待日来访X"},
    )
    assert (
        bad.status_code == 422
        and "服务日期不能晚于今天" in bad.content.decode()
        and "接待日来访X" in bad.content.decode()
    )


@pytest.mark.parametrize("who", ["member1", "office"])
def test_lists_keep_a_constant_number_of_queries(who, client_for, offer, django_assert_max_num_queries):
    c = client_for(who)
    url = reverse("studios:mine" if who == "member1" else "studios:bookings")
    c.get(url)
    with django_assert_max_num_queries(20) as before:
        c.get(url)
    for i in range(8):
        services.booking_create(offer=offer, name=f"群众{i}", phone="13700002222", consent=True)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert c.get(url).status_code == 200


def test_api_bookings_list_keeps_a_constant_number_of_queries(api_for, offer, django_assert_max_num_queries):
    api = api_for("member1")
    api.get("/api/v1/bookings")
    with django_assert_max_num_queries(12) as before:
        first = api.get("/api/v1/bookings").json()["count"]
    for i in range(8):
        services.booking_create(offer=offer, name=f"群众{i}", phone="13700002222", consent=True)
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = api.get("/api/v1/bookings").json()
    assert body["count"] == first + 8
    assert all(row["phone"] == "13700002222" for row in body["items"] if row["name"].startswith("群众"))
