"""What a second #11 walkthrough found: a 协商会议's page links back to its consultation; staff set or
correct 协商日期 on the form and with 标记为已召开 (default today, never in the future); the outcome page
shows the rating of a routed recommendation's reply; the word cloud leaves out filler words; the demo's
titles do not repeat their form's name; the public call for topics says in its own words what is missing."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengxie.activities import services as meetings
from zhengxie.activities.models import Meeting
from zhengxie.consultation import selectors, wordcloud
from zhengxie.consultation.models import Consultation, Recommendation
from zhengxie.consultation.services import consultations as services
from zhengxie.consultation.services import topics as topic_services
from zhengxie.core.errors import Invalid
from zhengxie.handling.services import flow

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def new(user):
    def make(**extra):
        data = {"title": "推进城乡供水一体化", "form": "bimonthly", "year": TODAY().year, **extra}
        return services.create(user=user("office"), **data)

    return make


# --- e. the meeting page links back -------------------------------------------------------------------


def test_the_meeting_page_links_back_to_its_consultation(new, user, client_for):
    c = new()
    start = timezone.now() + datetime.timedelta(days=3)
    m = services.create_meeting(
        user=user("office"), consultation=c, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    html = client_for("office").get(reverse("activities:detail", args=[m.pk])).content.decode()
    back = re.search(r'id="meeting-origin">(.*?)</p>', html, re.S).group(1)
    assert "协商活动" in back and f'href="{reverse("consultation:detail", args=[c.pk])}"' in back
    assert c.title in back
    # Someone who may not see the consultation gets no link to a 404.
    assert selectors.meeting_origin(user("other"), m) is None


def test_an_ordinary_meeting_has_no_link_back(user, client_for):
    start = timezone.now() + datetime.timedelta(days=3)
    m = meetings.meeting_create(
        user=user("office"),
        kind=Meeting.Kind.STANDING,
        title="常委会会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    html = client_for("office").get(reverse("activities:detail", args=[m.pk])).content.decode()
    assert 'id="meeting-origin"' not in html


# --- f. 协商日期 -----------------------------------------------------------------------------------------


def _edit(c, **changes):
    return {"title": c.title, "form": c.form, "year": c.year, **changes}


def test_staff_correct_the_date_on_the_form_but_not_into_the_future(new, user, client_for):
    c = services.step(user=user("office"), consultation=new(), action="hold")
    assert c.held_on == TODAY()
    office = client_for("office")
    url = reverse("consultation:edit", args=[c.pk])
    page = office.get(url).content.decode()
    tag = page.split('name="held_on"')[1].split(">")[0]
    assert f'value="{TODAY():%Y-%m-%d}"' in tag and f'max="{TODAY():%Y-%m-%d}"' in tag
    earlier = TODAY() - datetime.timedelta(days=9)
    assert office.post(url, _edit(c, held_on=earlier.isoformat())).status_code == 302
    assert Consultation.objects.get(pk=c.pk).held_on == earlier
    later = TODAY() + datetime.timedelta(days=1)
    r = office.post(url, _edit(c, held_on=later.isoformat(), title="改过的题目"))
    html = r.content.decode()
    assert r.status_code == 200 and "协商日期不能晚于今天。" in html and "改过的题目" in html
    assert Consultation.objects.get(pk=c.pk).held_on == earlier
    with pytest.raises(Invalid, match="不能晚于今天"):
        services.update(user=user("office"), consultation=c, held_on=later)


def test_mark_as_held_takes_its_date_default_today(new, user, client_for):
    c = services.step(user=user("office"), consultation=new(), action="open")
    office = client_for("office")
    detail = reverse("consultation:detail", args=[c.pk])
    form = re.search(r'<form[^>]*id="hold-form".*?</form>', office.get(detail).content.decode(), re.S).group(
        0
    )
    assert f'value="{TODAY():%Y-%m-%d}"' in form and f'max="{TODAY():%Y-%m-%d}"' in form
    step = reverse("consultation:step", args=[c.pk])
    later = TODAY() + datetime.timedelta(days=2)
    r = office.post(step, {"action": "hold", "held_on": later.isoformat()})
    assert r.status_code == 400
    html = r.content.decode()
    assert "协商日期不能晚于今天。" in html and f'value="{later:%Y-%m-%d}"' in html  # what was typed stays
    assert Consultation.objects.get(pk=c.pk).status == "open"
    r = office.post(step, {"action": "hold", "held_on": "2026-13-45"})
    assert r.status_code == 400 and "请填写有效的协商日期。" in r.content.decode()
    day = TODAY() - datetime.timedelta(days=3)
    assert office.post(step, {"action": "hold", "held_on": day.isoformat()}).status_code == 302
    c.refresh_from_db()
    assert c.status == "held" and c.held_on == day
    assert f"{day.year}年{day.month}月{day.day}日" in office.get(detail).content.decode()


def test_a_new_consultation_may_be_entered_with_its_date(client_for):
    day = TODAY() - datetime.timedelta(days=30)
    r = client_for("office").post(
        reverse("consultation:create"),
        {"title": "补登的协商", "form": "counterpart", "year": day.year, "held_on": day.isoformat()},
    )
    assert r.status_code == 302
    assert Consultation.objects.get(title="补登的协商").held_on == day


# --- g. the rating of a routed recommendation ------------------------------------------------------------


def test_the_outcome_page_shows_the_rating_of_each_answered_recommendation(sent, user, client_for):
    o = sent()
    r1, r2, r3 = Recommendation.objects.filter(outcome=o).order_by("number")
    flow.acknowledge(user=user("handler1"), case=r1.case_id)
    flow.reply(user=user("handler1"), case=r1.case_id, content="已将课后服务经费列入明年预算。")
    flow.rate(user=user("office"), case=r1.case_id, rating="basically_satisfied")
    flow.acknowledge(user=user("handler2"), case=r3.case_id)
    flow.reply(user=user("handler2"), case=r3.case_id, content="正在研究。")
    flow.rate(user=user("office"), case=r3.case_id, rating="unsatisfied", comment="答复过于简单")
    html = client_for("leader").get(reverse("consultation:outcome", args=[o.pk])).content.decode()

    def row(r):
        return re.search(
            rf'id="rec-{r.pk}">.*?(?=<div class="border-top|</div>\s*</div>\s*</div>)', html, re.S
        ).group(0)

    assert "已办结" in row(r1) and "评价：" in row(r1) and "基本满意" in row(r1)
    assert "不满意" in row(r3) and "退回重新办理" in row(r3)
    assert "评价：" not in row(r2)  # not routed: nothing to rate
    panel = (
        client_for("office").get(reverse("consultation:detail", args=[o.consultation_id])).content.decode()
    )
    assert "（评价：基本满意）" in panel


# --- h. the word cloud --------------------------------------------------------------------------------


def test_the_word_cloud_leaves_out_filler_words():
    texts = [
        "建议建设全县统一的智慧停车平台，实时显示空余车位。",
        "建议实行差异化收费，核心区高于外围，引导车辆到停车场停放。",
        "建议推行机关企事业单位停车场错时共享，逐步解决周边居民停车问题。",
    ]
    terms = wordcloud.count_terms(texts)
    for filler in ("实时", "显示", "高于", "实行", "推行", "引导", "统一", "全县", "逐步", "解决", "周边"):
        assert filler not in terms, filler
    for word in ("停车", "车位", "收费", "差异化", "共享"):
        assert word in terms, word


# --- i. the demo's titles ------------------------------------------------------------------------------


def test_demo_titles_do_not_repeat_their_form():
    rows = list(Consultation.objects.filter(organisation__code="demo-county").values_list("title", "form"))
    assert rows
    names = {"网络议政", "远程协商", "有事好商量", "协商"}
    for title, form in rows:
        assert not any(n in title for n in names), (title, form)


def test_demo_plan_and_meeting_times_are_plausible():
    today = TODAY()
    planned = Consultation.objects.filter(
        organisation__code="demo-county", status="planned", year=today.year, planned_month__isnull=False
    )
    assert planned.exists()
    for c in planned:  # still to come: not in a month already past
        assert c.planned_month >= today.month, (c.title, c.planned_month)
    meeting = (
        Consultation.objects.filter(organisation__code="demo-county", meeting__isnull=False).first().meeting
    )
    assert timezone.localtime(meeting.starts_at).hour == 9  # 9 o'clock in 青川县, not 17:00


# --- j. the public call for topics ------------------------------------------------------------------


def test_the_public_call_says_what_is_missing_field_by_field(county):
    call = topic_services.open_calls(county).first()
    url = reverse("public_consultation:topics", args=["demo-county"])
    r = Client().post(url, {"call": call.pk, "title": "", "reason": "", "phone": "123"})
    assert r.status_code == 422
    html = r.content.decode()
    errors = dict(re.findall(r'<div class="error" id="(\w+)-error">(.*?)</div>', html))
    assert errors == {
        "title": "请填写建议的协商议题。",
        "reason": "请填写理由。",
        "phone": "请填写11位手机号码（如 13800000000），或留空。",
        "consent": "请阅读并勾选同意个人信息处理说明后再提交。",
    }
    assert "这个字段是必填项" not in html and "必填" not in html
    r = Client().post(url, {"call": call.pk, "title": "老城区雨污分流", "reason": "", "consent": "on"})
    html = r.content.decode()
    assert 'value="老城区雨污分流"' in html and re.findall(r'id="(\w+)-error"', html) == ["reason"]
