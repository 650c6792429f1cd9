"""A citizen who sends the booking form empty reads one message per field (the form's own check and the
service's said the same thing twice: 请填写手机号。 and 请填写手机号，委员将通过它与您联系。)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_empty_booking_form_says_each_problem_once(offer):
    blank = {"name": "", "phone": "", "preferred_time": "", "note": ""}  # what a browser sends
    r = Client().post(reverse("studios:public_offer", args=[offer.pk]), blank)
    assert r.status_code == 422
    html = r.content.decode()
    assert html.count("请填写手机号") == 1 and html.count("请填写称呼") == 1
    assert "请阅读并同意个人信息使用说明" in html
