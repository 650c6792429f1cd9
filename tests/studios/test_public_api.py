"""The public API and pages: no login, only active items of the organisation asked, never personal data."""

import re

from django.test import Client
from django.urls import reverse

from zhengxie.studios.models import Booking, ServiceOffer, Studio

PHONE = re.compile(r"1[3-9]\d{9}")


def _org(user):
    return user("office").organisation


def test_studios_list_and_detail_without_login(user, studio, django_assert_max_num_queries):
    org = _org(user)
    c = Client()
    with django_assert_max_num_queries(4):
        r = c.get(f"/api/v1/studios?organisation_id={org.pk}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "count"}
    names = [s["name"] for s in body["items"]]
    assert studio.name in names
    assert body["count"] == Studio.objects.filter(organisation=org, active=True).count()
    assert all(s["organisation_id"] == org.pk for s in body["items"])
    inactive = Studio.objects.filter(organisation=org, active=False).first()
    assert inactive is not None and inactive.name not in names
    assert c.get(f"/api/v1/studios/{inactive.pk}").status_code == 404
    d = c.get(f"/api/v1/studios/{studio.pk}").json()
    assert user("member1").member.pk in [m["id"] for m in d["on_duty_today"]]
    assert not PHONE.search(r.content.decode()) and not PHONE.search(str(d))


def test_studio_list_queries_do_not_grow_with_studios(user, django_assert_max_num_queries):
    org = _org(user)
    c = Client()
    c.get(f"/api/v1/studios?organisation_id={org.pk}")
    with django_assert_max_num_queries(4) as before:
        c.get(f"/api/v1/studios?organisation_id={org.pk}")
    for i in range(6):
        s = Studio.objects.create(organisation=org, name=f"测试{i}")
        s.members.add(user("member2").member)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert c.get(f"/api/v1/studios?organisation_id={org.pk}").json()["count"] >= 6


def test_services_list_carries_no_personal_data(user, offer, django_assert_max_num_queries):
    org = _org(user)
    c = Client()
    with django_assert_max_num_queries(3):
        r = c.get(f"/api/v1/services?organisation_id={org.pk}")
    body = r.json()
    assert r.status_code == 200 and set(body) == {"items", "count"}
    assert body["count"] == ServiceOffer.objects.filter(organisation=org, active=True).count()
    assert offer.pk in [s["id"] for s in body["items"]]
    text = r.content.decode()
    assert not PHONE.search(text)
    for b in Booking.objects.filter(offer__organisation=org)[:20]:
        assert b.name not in text and b.code not in text
    hidden = ServiceOffer.objects.filter(organisation=org, active=False).first()
    assert hidden is not None and hidden.pk not in [s["id"] for s in body["items"]]
    legal = c.get(f"/api/v1/services?organisation_id={org.pk}&category=legal").json()
    assert legal["items"] and all(s["category"] == "legal" for s in legal["items"])
    assert c.get("/api/v1/services?category=nonsense").status_code == 422


def test_public_pages_without_login(user, studio, offer):
    c = Client()
    page = c.get(reverse("studios:public_studio", args=[studio.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and studio.name in html and "给工作室留言" in html
    assert f"/p/{studio.organisation.code}/studio/{studio.pk}/" in html
    assert user("member1").member.name in html  # on duty today
    assert not PHONE.search(html)
    market = c.get(reverse("studios:public_services", args=[studio.organisation.code]))
    assert market.status_code == 200 and offer.title in market.content.decode()
    assert reverse("studios:public_studio", args=[studio.pk]) in market.content.decode()
    assert not PHONE.search(market.content.decode())
    assert c.get(reverse("studios:public_services", args=["no-such-org"])).status_code == 404
    inactive = Studio.objects.filter(active=False).first()
    assert c.get(reverse("studios:public_studio", args=[inactive.pk])).status_code == 404
    # Staff pages still need a login.
    assert c.get(reverse("studios:mine")).status_code == 302
    assert c.get(reverse("studios:detail", args=[studio.pk])).status_code == 302


def test_wrong_booking_code_is_404_on_the_page(offer):
    r = Client().post(reverse("studios:public_booking"), {"code": "ABCDEFGHJK"})
    assert r.status_code == 404 and "未找到该预约" in r.content.decode()
