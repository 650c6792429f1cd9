"""The public call for topics (/p/<code>/topics/, no login): while a call is open a citizen's topic lands
as a 群众建言 candidate; a closed call refuses in Chinese; an address is limited per hour (429); a bot that
fills the honeypot stores nothing; an unknown code is 404; the office ends a call."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengxie.consultation.models import Topic, TopicCall
from zhengxie.consultation.services import topics as services
from zhengxie.core.errors import Invalid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]

URL = reverse("public_consultation:topics", args=["demo-county"])
FORM = {
    "title": "老城区雨污分流改造",
    "reason": "每逢大雨老城区道路积水严重，希望政协协商雨污分流改造。",
    "name": "李先生",
    "phone": "138-0000-1111",
    "consent": "on",
}


def _latest_open(county):
    return services.open_calls(county).first()


def test_submit_while_open_lands_as_public_candidate(county):
    call = _latest_open(county)  # the demo's open call for next year's topics
    assert call is not None
    page = Client().get(URL)
    assert (
        page.status_code == 200
        and call.title in page.content.decode()
        and "提交议题" in page.content.decode()
    )
    r = Client().post(URL, {**FORM, "call": call.pk})
    assert r.status_code == 200 and "提交成功" in r.content.decode()
    t = Topic.objects.get(title=FORM["title"])
    assert (t.source, t.status, t.call_id, t.year, t.organisation_id) == (
        "public",
        "candidate",
        call.pk,
        call.year,
        county.pk,
    )
    assert t.citizen_name == "李先生" and t.citizen_phone == "13800001111" and t.member is None


def test_only_the_office_reads_the_citizens_phone(county, client_for):
    call = _latest_open(county)
    Client().post(URL, {**FORM, "call": call.pk})
    t = Topic.objects.get(title=FORM["title"])
    url = reverse("consultation:topic", args=[t.pk])
    assert "13800001111" in client_for("office").get(url).content.decode()
    leader = client_for("leader").get(url)
    assert leader.status_code == 200 and "13800001111" not in leader.content.decode()
    assert client_for("member1").get(url).status_code == 404


def test_closed_call_refuses_in_chinese(county, topic_call, client_for):
    call = topic_call()
    assert client_for("office").post(reverse("consultation:call_close", args=[call.pk])).status_code == 302
    call.refresh_from_db()
    assert not call.is_open()
    r = Client().post(URL, {**FORM, "call": call.pk})
    assert r.status_code == 409 and "已经截止" in r.content.decode()
    assert not Topic.objects.filter(title=FORM["title"]).exists()
    page = Client().get(URL + f"?call={call.pk}")
    assert (
        page.status_code == 200
        and "已经截止" in page.content.decode()
        and "提交议题" not in page.content.decode()
    )


def test_no_open_call_refuses(county):
    TopicCall.objects.filter(organisation=county).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = Client().get(URL)
    assert page.status_code == 200 and "目前没有正在进行的议题征集" in page.content.decode()
    r = Client().post(URL, FORM)
    assert r.status_code == 409 and not Topic.objects.filter(title=FORM["title"]).exists()


def test_rate_limit_answers_429(county):
    call = _latest_open(county)
    c = Client(REMOTE_ADDR="10.9.8.7")
    for i in range(10):  # public.rate_per_hour (default 10)
        r = c.post(URL, {**FORM, "title": f"议题{i}", "call": call.pk})
        assert r.status_code == 200, (i, r.status_code)
    r = c.post(URL, {**FORM, "title": "第十一条", "call": call.pk})
    assert r.status_code == 429 and "提交过于频繁" in r.content.decode()
    assert not Topic.objects.filter(title="第十一条").exists()


def test_honeypot_and_bad_input(county):
    call = _latest_open(county)
    r = Client().post(URL, {**FORM, "website": "http://spam.example", "call": call.pk})
    assert r.status_code == 200 and "提交成功" in r.content.decode()
    assert not Topic.objects.filter(title=FORM["title"]).exists()
    r = Client().post(URL, {**FORM, "consent": "", "call": call.pk})
    assert r.status_code == 422 and "勾选同意" in r.content.decode()
    r = Client().post(URL, {**FORM, "phone": "12345", "call": call.pk})
    assert r.status_code == 422 and "11位手机号码" in r.content.decode()
    r = Client().post(URL, {**FORM, "reason": "", "call": call.pk})
    assert r.status_code == 422
    with pytest.raises(Invalid):
        services.submit_public(organisation=county, call=call, title="议" * 101, reason="理由", consent=True)
    assert not Topic.objects.filter(title=FORM["title"]).exists()


def test_unknown_code_and_foreign_call_are_404(county):
    assert Client().get(reverse("public_consultation:topics", args=["no-such-org"])).status_code == 404
    call = _latest_open(county)
    # 石门区's page cannot take topics into 青川县's call.
    other = reverse("public_consultation:topics", args=["demo-county-2"])
    assert Client().post(other, {**FORM, "call": call.pk}).status_code == 404


def test_office_opens_a_call_and_refuses_bad_dates(client_for, user):
    today = timezone.localdate()
    r = client_for("office").post(
        reverse("consultation:calls"),
        {
            "title": "新一轮征集",
            "opens_on": today.isoformat(),
            "closes_on": (today - datetime.timedelta(days=2)).isoformat(),
            "year": today.year + 1,
        },
    )
    assert r.status_code == 422 and "截止日期不能早于开始日期" in r.content.decode()
    r = client_for("office").post(
        reverse("consultation:calls"),
        {
            "title": "新一轮征集",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=9)).isoformat(),
            "year": today.year + 1,
        },
    )
    assert r.status_code == 302 and TopicCall.objects.filter(title="新一轮征集").exists()
    # Members and 石门区's staff neither see nor open calls.
    assert client_for("member1").get(reverse("consultation:calls")).status_code == 404
