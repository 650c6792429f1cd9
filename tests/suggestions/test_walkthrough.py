"""What the #10 walkthrough found on a fresh demo: the citizen's page leads to the 为民服务超市 and to each
studio's page and states the committee's own reply time and photo size; a missing title is said once; the
office sees which unit an item went to; a re-handling's new deadline reaches the tracking page; nothing with
a phone number or the citizen's name is published; the demo's answers are not dated in the future."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from zhengxie.core.errors import Invalid
from zhengxie.handling.services import flow
from zhengxie.suggestions import services
from zhengxie.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_landing_links_services_and_studio_pages_and_states_the_settings(county):
    county.settings = {**(county.settings or {}), "public.reply_days": 10, "public.photo_max_mb": 3}
    county.save(update_fields=["settings"])
    html = Client().get("/p/demo-county/").content.decode()
    assert 'href="/studios/public/demo-county/services/"' in html and "委员为民服务超市" in html
    assert "一般在10个工作日内答复" in html and "每张不超过3MB" in html
    studio = re.search(r'<div class="card" id="studios">.*?</div>', html, re.S).group(0)
    assert re.search(r'href="/studios/public/studio/\d+/"', studio)  # the studio's own page (duty, services)
    studio_id = re.search(r"/studios/public/studio/(\d+)/", studio).group(1)
    form = Client().get(f"/p/demo-county/studio/{studio_id}/").content.decode()
    assert f'href="/studios/public/studio/{studio_id}/"' in form


def test_a_missing_title_is_said_once():
    r = Client().post("/p/demo-county/", {"title": "", "content": "", "consent": "on"})
    assert r.status_code == 422
    html = r.content.decode()
    assert html.count('id="title-error"') == 1 and "请填写标题。" in html
    assert "这个字段是必填项" not in html


def test_office_sees_the_unit_it_routed_to(routed, client_for, education):
    s = routed()
    html = client_for("office").get(f"/suggestions/{s.pk}/").content.decode()
    routed_to = re.search(r'id="suggestion-routed">(.*?)</dd>', html, re.S).group(1)
    assert education.name in routed_to


def test_rehandling_deadline_reaches_the_tracking_page(routed, user):
    s = routed()
    flow.reply(user=user("handler1"), case=s.case_id, content="答复一")
    s = services.rate(code=s.tracking_code, rating="unsatisfied", comment="没解决")
    s.refresh_from_db()
    case_deadline = s.case.deadline
    assert s.status == "routed" and s.deadline == case_deadline
    html = Client().post("/p/track/", {"code": s.tracking_code}).content.decode()
    assert f"答复期限 {case_deadline:%Y-%m-%d}" in html


@pytest.mark.parametrize(
    "answer",
    [
        "已处理，如有问题请联系王小明 13912345678。",
        "已处理，联系电话 139-1234-5678。",
        "王小明反映的问题已解决。",
    ],
)
def test_publishing_refuses_personal_data(routed, user, client_for, answer):
    s = routed(name="王小明", phone="13912345678")
    flow.reply(user=user("handler1"), case=s.case_id, content="已处理。")
    c = client_for("office")
    r = c.post(f"/suggestions/{s.pk}/publish/", {"answer": answer})
    assert r.status_code == 422 and "手机号码或建议人姓名" in r.content.decode()
    assert answer in r.content.decode()  # what was typed stays
    s.refresh_from_db()
    assert not s.published
    r = c.post(f"/suggestions/{s.pk}/publish/", {"answer": "已处理完毕。"})
    assert r.status_code == 302
    assert "已处理完毕。" in Client().get("/p/demo-county/answers/").content.decode()


def test_a_suggestion_with_a_phone_in_its_text_is_never_published(submitted, user, education):
    s = submitted(content="幸福路路灯不亮，我的电话13900001111，欢迎联系。")
    s = services.route(user=user("office"), suggestion=s, unit=education)
    flow.reply(user=user("handler1"), case=s.case_id, content="已维修。")
    with pytest.raises(Invalid, match="不能公开"):
        services.publish(user=user("office"), suggestion=s, answer="已维修。")
    assert not Suggestion.objects.get(pk=s.pk).published


def test_demo_answers_are_not_dated_in_the_future():
    now = timezone.now()
    for field in ("moderated_at", "routed_at", "replied_at", "closed_at", "rated_at", "published_at"):
        assert not Suggestion.objects.filter(**{f"{field}__gt": now}).exists(), field


def test_a_late_studio_suggestion_says_so_in_the_lists_and_on_its_page(submitted, user, client_for, county):
    import datetime

    from zhengxie.studios.models import Studio

    studio = Studio.objects.filter(organisation=county, active=True, members=user("member1").member).first()
    s = services.route(user=user("office"), suggestion=submitted(), studio=studio)
    Suggestion.objects.filter(pk=s.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    member = client_for("member1")
    rows = member.get("/suggestions/studio/").content.decode()
    row = re.search(rf'<tr>\s*<td class="small text-muted">{s.pk}</td>.*?</tr>', rows, re.S)
    assert row and "已逾期" in row.group(0)
    assert "已逾期" in member.get(f"/suggestions/{s.pk}/").content.decode()
    Suggestion.objects.filter(pk=s.pk).update(deadline=timezone.localdate())
    assert "已逾期" not in member.get(f"/suggestions/{s.pk}/").content.decode()


def test_a_citizen_who_types_the_sites_address_finds_the_public_channel():
    login = Client().get("/accounts/login/").content.decode()
    assert 'href="/p/"' in login and "群众无需登录" in login
    r = Client().get("/p/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'href="/p/demo-county/"' in html and 'href="/p/demo-county-2/"' in html
    assert 'href="/studios/public/demo-county/services/"' in html and 'href="/p/track/"' in html
    assert "demo-town-01" not in html  # a town's liaison group is reached through its county
