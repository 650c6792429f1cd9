"""The online hall (网络议政): posting and replying in the window, counts, scope (another county, non-members),
bad input and HTML, the window (409), hidden threads, moderation (hide, pin, approve, merge) with the audit
log, the public's pending comments and rate limit, the duty-credit cap, the summary, and constant queries."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.consultation.models import Comment, Consultation
from zhengxie.consultation.services import hall as services
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Organisation
from zhengxie.members.selectors import member_of
from zhengxie.performance.models import DutyRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def fresh(county, user):
    """A new online hall of the county, open for an hour, public (no comments yet)."""

    def make(**extra):
        now = timezone.now()
        data = {
            "organisation": county,
            "year": now.year,
            "title": "网络议政：测试议题",
            "form": Consultation.Form.ONLINE,
            "status": Consultation.Status.OPEN,
            "opens_at": now - datetime.timedelta(hours=1),
            "closes_at": now + datetime.timedelta(hours=1),
            "public": True,
            "background": "背景材料：城区停车泊位缺口约3000个。",
            "created_by": user("office"),
        }
        data.update(extra)
        return Consultation.objects.create(**data)

    return make


@pytest.fixture
def hall(fresh):
    return fresh()


@pytest.fixture
def demo_hall(county):
    return Consultation.objects.get(
        organisation=county,
        form=Consultation.Form.ONLINE,
        opens_at__lte=timezone.now(),
        closes_at__gt=timezone.now(),
    )


def post(user, c, content, parent_id=None):
    return services.post_comment(user=user, consultation=c, content=content, parent_id=parent_id)


def _counts(c):
    c.refresh_from_db()
    return c.comment_count, c.participant_count


# --- posting --------------------------------------------------------------------------------------------


def test_member_posts_and_replies_counts_move_and_thread_shows(hall, user, client_for):
    m1, m2 = user("member1"), user("member2")
    root = post(m1, hall, "建议在学校周边设置限时停车接送区。")
    assert root.root_id == root.pk and root.status == "visible"
    assert root.author_label == member_of(m1).name
    assert _counts(hall) == (1, 1)
    reply = post(m2, hall, "赞同，可以先试点。", parent_id=root.pk)
    assert reply.root_id == root.pk and reply.parent_id == root.pk
    again = post(m1, hall, "补充：错时共享机关停车场。", parent_id=reply.pk)
    assert again.root_id == root.pk and again.parent_id == reply.pk
    assert _counts(hall) == (3, 2)
    root.refresh_from_db()
    assert root.reply_count == 2
    r = client_for("member3").get(reverse("consultation:hall", args=[hall.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "建议在学校周边设置限时停车接送区" in body and "赞同，可以先试点" in body
    assert "进行中" in body and "背景材料" in body and 'id="comment-form"' in body


def test_page_post_plain_and_htmx(hall, client_for):
    c = client_for("member1")
    url = reverse("consultation:hall_post", args=[hall.pk])
    r = c.post(url, {"content": "第一条意见"})
    assert r.status_code == 302 and r["Location"].endswith(
        f"#thread-{Comment.objects.get(consultation=hall).pk}"
    )
    r = c.post(url, {"content": "第二条意见"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'hx-swap-oob="afterbegin:#threads"' in body and "第二条意见" in body
    assert 'id="hall-comment-count">2<' in body
    root = Comment.objects.filter(consultation=hall).order_by("id").first()
    r = c.post(url, {"content": "一条回复", "parent_id": root.pk}, headers={"HX-Request": "true"})
    assert (
        r.status_code == 200
        and f'id="thread-{root.pk}"' in r.content.decode()
        and "一条回复" in r.content.decode()
    )
    # the replier sees the count move at once (out of band), not only at the next poll
    assert 'id="hall-counts"' in r.content.decode() and 'id="hall-comment-count">3<' in r.content.decode()
    r = c.post(url, {"content": "  "}, headers={"HX-Request": "true"})
    assert "请填写留言内容" in r.content.decode()
    r = c.post(url, {"content": "  "})
    assert r.status_code == 422 and "请填写留言内容" in r.content.decode()
    assert _counts(hall) == (3, 1)


def test_counts_fragment_polls(hall, client_for):
    r = client_for("member1").get(reverse("consultation:hall_counts", args=[hall.pk]))
    assert r.status_code == 200 and 'hx-trigger="every 15s"' in r.content.decode()


def test_another_county_member_gets_404(hall, api_for, client_for):
    r = api_for("other").post(
        f"/api/v1/consultations/{hall.pk}/comments", {"content": "外县委员"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert client_for("other").get(reverse("consultation:hall", args=[hall.pk])).status_code == 404
    assert (
        client_for("other")
        .post(reverse("consultation:hall_post", args=[hall.pk]), {"content": "x"})
        .status_code
        == 404
    )
    assert not Comment.objects.filter(consultation=hall).exists()


def test_non_member_refused(hall, api_for):
    r = api_for("handler1").post(
        f"/api/v1/consultations/{hall.pk}/comments", {"content": "承办单位"}, content_type="application/json"
    )
    assert r.status_code in (403, 404)
    assert not Comment.objects.filter(consultation=hall).exists()


def test_bad_input(hall, user, county):
    m = user("member1")
    with pytest.raises(Invalid, match="请填写留言内容"):
        post(m, hall, "   \n ")
    with pytest.raises(Invalid, match="不能超过1000字"):
        post(m, hall, "长" * 1001)
    county.settings = {**county.settings, "consultation.comment_max_chars": 10}
    county.save(update_fields=["settings"])
    with pytest.raises(Invalid, match="不能超过10字"):
        post(m, Consultation.objects.get(pk=hall.pk), "一二三四五六七八九十一")
    with pytest.raises(Invalid):
        post(m, hall, "回复", parent_id=999999999)
    assert _counts(hall) == (0, 0)


def test_api_contract(hall, api_for, county):
    api = api_for("member1")
    url = f"/api/v1/consultations/{hall.pk}/comments"
    for markup in (
        "<script>alert(1)</script>停车",
        '<a href="http://x">点击</a>',
        "<!-- x -->",
        "<img src=x>",
    ):
        r = api.post(url, {"content": markup}, content_type="application/json")
        assert r.status_code == 422 and "网页代码" in r.json()["detail"], markup
    r = api.post(url, {"content": "  当a<b且c>d时，<停车>难  "}, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["content"] == "当a<b且c>d时，<停车>难"  # a lone "<" is text, stored as typed
    assert set(data) >= {"id", "content", "author_label", "parent_id", "root_id", "created_at", "status"}
    assert data["root_id"] == data["id"] and data["parent_id"] is None and data["status"] == "visible"
    r = api.post(url, {"content": "回复", "parent_id": data["id"]}, content_type="application/json")
    assert r.status_code == 201 and r.json()["root_id"] == data["id"]
    for bad in ({"content": ""}, {"content": "x" * 1001}):
        r = api.post(url, bad, content_type="application/json")
        assert r.status_code == 422 and r.json()["detail"]
    r = api.get(url + "?page=1")
    assert r.status_code == 200
    page = r.json()
    assert page["comment_count"] == 2 and page["participant_count"] == 1
    assert page["threads"][0]["id"] == data["id"] and page["threads"][0]["replies"][0]["content"] == "回复"
    r = api.get(f"/api/v1/consultations/{hall.pk}/hall")
    assert r.status_code == 200 and r.json()["state"] == "open" and r.json()["comment_count"] == 2
    assert api.get(url + "?page=0").status_code == 422


def test_html_is_escaped_on_pages(hall, user, client_for):
    # markup is refused at the service (test_api_contract); a row written before that rule, or by an
    # import, is still shown as text
    c = post(user("member1"), hall, "看看")
    Comment.objects.filter(pk=c.pk).update(content='<img src=x onerror="alert(1)">看看')
    body = client_for("member2").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body
    county = hall.organisation
    body = (
        client_for("member2")
        .get(reverse("public_consultation:hall", args=[county.code, hall.pk]))
        .content.decode()
    )
    assert "<img src=x" not in body


def test_after_the_window_409(fresh, user, api_for):
    now = timezone.now()
    closed = fresh(opens_at=now - datetime.timedelta(days=3), closes_at=now - datetime.timedelta(days=1))
    with pytest.raises(Conflict, match="已结束"):
        post(user("member1"), closed, "迟到的意见")
    later = fresh(opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=3))
    r = api_for("member1").post(
        f"/api/v1/consultations/{later.pk}/comments", {"content": "太早"}, content_type="application/json"
    )
    assert r.status_code == 409 and "尚未开始" in r.json()["detail"]
    assert not Comment.objects.filter(consultation__in=[closed, later]).exists()
    closed.refresh_from_db()
    assert closed.comment_count == 0


def test_reply_to_hidden_thread_refused(hall, user, api_for):
    root = post(user("member1"), hall, "主题")
    reply = post(user("member2"), hall, "回复", parent_id=root.pk)
    services.hide(user=user("office"), comment=root, reason="与议题无关")
    with pytest.raises(Conflict, match="隐藏"):
        post(user("member3"), hall, "再回复", parent_id=root.pk)
    r = api_for("member3").post(
        f"/api/v1/consultations/{hall.pk}/comments",
        {"content": "再回复", "parent_id": reply.pk},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert _counts(hall) == (0, 0)


# --- moderation -----------------------------------------------------------------------------------------


def test_staff_hide_leaves_lists_and_counts_and_is_audited(hall, user, api_for, client_for):
    root = post(user("member1"), hall, "保留的主题")
    bad = post(user("member2"), hall, "这是一条广告回复", parent_id=root.pk)
    other = post(user("member2"), hall, "member2 的另一个主题")
    assert _counts(hall) == (3, 2)
    r = api_for("office").post(
        f"/api/v1/consultation-comments/{bad.pk}/hide",
        {"reason": "含有广告推广内容"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    assert _counts(hall) == (2, 2)  # member2 still has a visible thread
    root.refresh_from_db()
    assert root.reply_count == 0
    body = client_for("member3").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert "这是一条广告回复" not in body and "保留的主题" in body
    listed = api_for("member3").get(f"/api/v1/consultations/{hall.pk}/comments").json()
    assert all(r["content"] != "这是一条广告回复" for t in listed["threads"] for r in [t, *t["replies"]])
    entry = AuditEntry.objects.filter(action="consultation.hall_hide", target_id=str(bad.pk)).get()
    assert entry.after["reason"] == "含有广告推广内容"
    # Hiding a thread's root takes its replies and the author who has nothing else left.
    services.hide(user=user("office"), comment=other, reason="重复")
    assert _counts(hall) == (1, 1)
    assert (
        api_for("office")
        .post(
            f"/api/v1/consultation-comments/{other.pk}/hide",
            {"reason": "再次"},
            content_type="application/json",
        )
        .status_code
        == 409
    )
    # Members may not moderate; an empty reason is refused.
    assert (
        api_for("member1")
        .post(
            f"/api/v1/consultation-comments/{root.pk}/hide", {"reason": "x"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    assert (
        api_for("office")
        .post(
            f"/api/v1/consultation-comments/{root.pk}/hide", {"reason": " "}, content_type="application/json"
        )
        .status_code
        == 422
    )
    assert (
        api_for("other")
        .post(
            f"/api/v1/consultation-comments/{root.pk}/hide", {"reason": "x"}, content_type="application/json"
        )
        .status_code
        == 404
    )


def test_hiding_a_thread_hides_its_replies(hall, user):
    root = post(user("member1"), hall, "主题")
    post(user("member2"), hall, "回复一", parent_id=root.pk)
    post(user("member3"), hall, "回复二", parent_id=root.pk)
    assert _counts(hall) == (3, 3)
    services.hide(user=user("office"), comment=root, reason="与议题无关")
    assert _counts(hall) == (0, 0)
    assert set(Comment.objects.filter(consultation=hall).values_list("status", flat=True)) == {"hidden"}


def test_pin_puts_thread_on_top(hall, user, api_for):
    first = post(user("member1"), hall, "较早的主题")
    post(user("member2"), hall, "较新的主题")
    r = api_for("office").post(
        f"/api/v1/consultation-comments/{first.pk}/pin", {}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["pinned"] is True
    threads = api_for("member3").get(f"/api/v1/consultations/{hall.pk}/comments").json()["threads"]
    assert [t["content"] for t in threads] == ["较早的主题", "较新的主题"]
    reply = post(user("member2"), hall, "回复", parent_id=first.pk)
    with pytest.raises(Conflict):
        services.set_pinned(user=user("office"), comment=reply)
    with pytest.raises(Forbidden):
        services.set_pinned(user=user("member1"), comment=first)


def test_merge(hall, user, client_for):
    a = post(user("member1"), hall, "建议建设立体停车库")
    b = post(user("member2"), hall, "建议建设立体停车库（重复）")
    # Staff type the number they read on the page (第1条), not a database id.
    r = client_for("office").post(
        reverse("consultation:hall_moderate", args=[hall.pk, b.pk, "merge"]), {"into_number": a.number}
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == "hidden" and b.merged_into_id == a.pk and b.hidden_reason == "已合并到第1条"
    assert _counts(hall) == (1, 1)
    with pytest.raises(Invalid):
        services.merge(user=user("office"), comment=a, into=a.pk)
    with pytest.raises(Invalid) as e:
        services.merge(user=user("office"), comment=a, into_number=99)
    assert e.value.field == "into_number"


def test_comments_are_numbered_within_their_hall(hall, fresh, user, client_for, county, client):
    # Another hall's comments do not move this hall's numbers: each counts from 第1条.
    other = fresh(title="网络议政：另一议题")
    post(user("member3"), other, "另一个议题的留言")
    a = post(user("member1"), hall, "建议增加公交线路")
    b = post(user("member2"), hall, "赞同", parent_id=a.pk)
    c = post(user("member3"), hall, "补充：夜班车", parent_id=b.pk)
    assert (a.number, b.number, c.number) == (1, 2, 3)
    r = client.post(
        reverse("public_consultation:hall", args=[county.code, hall.pk]),
        {"content": "群众：希望延长末班车时间", "consent": "on"},
    )
    assert r.status_code in (200, 302)
    assert Comment.objects.get(consultation=hall, is_public=True).number == 4
    page = client_for("member1").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert "第1条" in page and "第3条" in page and "回复第2条" in page
    assert f"第{c.pk}条" not in page or c.pk == 3


# --- the public -----------------------------------------------------------------------------------------


def test_public_comment_pending_until_approved(hall, county, client, client_for, api_for):
    url = reverse("public_consultation:hall", args=[county.code, hall.pk])
    r = client.get(url)
    assert r.status_code == 200 and 'id="public-comment-form"' in r.content.decode()
    r = client.post(url, {"name": "", "content": "希望多建停车场<b>！</b>", "consent": "on"})
    body = r.content.decode()
    assert r.status_code == 422 and "网页代码" in body and "希望多建停车场&lt;b&gt;！&lt;/b&gt;" in body
    assert not Comment.objects.filter(consultation=hall).exists()
    r = client.post(url, {"name": "", "content": "希望多建停车场！", "consent": "on"})
    assert r.status_code == 200 and 'id="public-done"' in r.content.decode()
    cm = Comment.objects.get(consultation=hall)
    assert cm.status == "pending" and cm.is_public and cm.author_label == "网友" and cm.author_id is None
    assert _counts(hall) == (0, 0)
    assert "希望多建停车场" not in client.get(url).content.decode()
    assert (
        "希望多建停车场"
        not in client_for("member1").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    )
    staff_page = client_for("office").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert f'id="pending-{cm.pk}"' in staff_page
    r = api_for("office").post(f"/api/v1/consultation-comments/{cm.pk}/approve")
    assert r.status_code == 200 and r.json()["status"] == "visible"
    assert _counts(hall) == (1, 1)
    body = client.get(url).content.decode()
    assert "希望多建停车场！" in body
    assert api_for("office").post(f"/api/v1/consultation-comments/{cm.pk}/approve").status_code == 409
    # Consent and content are required, both said at once; a named citizen keeps the name.
    r = client.post(url, {"content": "没勾选"})
    assert r.status_code == 422
    r = client.post(url, {"name": "城关居民", "content": ""})
    body = r.content.decode()
    assert r.status_code == 422 and "请填写留言内容" in body and services.CONSENT_MISSING in body
    assert 'value="城关居民"' in body
    client.post(url, {"name": "城关居民", "content": "署名留言", "consent": "on"})
    assert Comment.objects.get(content="署名留言").author_label == "城关居民"


def test_public_page_of_non_public_or_other_org_404(fresh, county, client):
    private = fresh(public=False)
    assert client.get(reverse("public_consultation:hall", args=[county.code, private.pk])).status_code == 404
    other = Organisation.objects.get(code="demo-county-2")
    public = fresh()
    assert client.get(reverse("public_consultation:hall", args=[other.code, public.pk])).status_code == 404


def test_public_honeypot_stores_nothing(hall, county, client):
    url = reverse("public_consultation:hall", args=[county.code, hall.pk])
    r = client.post(url, {"content": "机器人", "consent": "on", "website": "http://spam"})
    assert r.status_code == 200 and not Comment.objects.filter(consultation=hall).exists()


def test_public_rate_limit_429(hall, county, client):
    county.settings = {**county.settings, "consultation.public_rate_per_hour": 2}
    county.save(update_fields=["settings"])
    url = reverse("public_consultation:hall", args=[county.code, hall.pk])
    for i in range(2):
        assert client.post(url, {"content": f"第{i}条", "consent": "on"}).status_code == 200
    r = client.post(url, {"content": "第三条", "consent": "on"})
    assert r.status_code == 429 and "每小时最多提交2条" in r.content.decode()
    assert Comment.objects.filter(consultation=hall).count() == 2


def test_public_after_window_409(fresh, county, client):
    now = timezone.now()
    closed = fresh(opens_at=now - datetime.timedelta(days=3), closes_at=now - datetime.timedelta(days=1))
    url = reverse("public_consultation:hall", args=[county.code, closed.pk])
    assert 'id="public-comment-form"' not in client.get(url).content.decode()
    assert client.post(url, {"content": "迟到", "consent": "on"}).status_code == 409


# --- duty credit ----------------------------------------------------------------------------------------


def _credits(member, c):
    ids = [str(i) for i in Comment.objects.filter(consultation=c).values_list("id", flat=True)]
    return DutyRecord.objects.filter(member=member, act="hall_comment", source_id__in=ids, voided=False)


def test_duty_credit_capped_per_consultation(hall, user, county):
    m = user("member1")
    member = member_of(m)
    comments = [post(m, hall, f"第{i}条意见") for i in range(5)]
    assert _credits(member, hall).count() == 3
    assert set(_credits(member, hall).values_list("source_id", flat=True)) == {
        str(c.pk) for c in comments[:3]
    }
    # A hidden credited comment loses its record; the next visible one takes its place.
    services.hide(user=user("office"), comment=comments[0], reason="与议题无关")
    assert set(_credits(member, hall).values_list("source_id", flat=True)) == {
        str(c.pk) for c in comments[1:4]
    }
    assert DutyRecord.objects.filter(
        member=member, act="hall_comment", source_id=str(comments[0].pk), voided=True
    ).exists()
    # Staff (not a member) earn nothing; the cap follows the setting.
    county.settings = {**county.settings, "consultation.comment_credit_cap": 1}
    county.save(update_fields=["settings"])
    other_hall = Consultation.objects.get(pk=hall.pk)
    m2 = user("member2")
    for i in range(3):
        post(m2, other_hall, f"m2 第{i}条")
    assert _credits(member_of(m2), hall).count() == 1


# --- summary --------------------------------------------------------------------------------------------


def test_summary_after_window_credits_authors(hall, user, client_for):
    a = post(user("member1"), hall, "建议一")
    b = post(user("member2"), hall, "建议二")
    c = client_for("office")
    url = reverse("consultation:hall_summary", args=[hall.pk])
    r = c.post(url, {"hall_summary": "综述", "used": [a.pk], "shown": [a.pk, b.pk]})
    assert r.status_code == 409  # still open
    Consultation.objects.filter(pk=hall.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert c.get(url).status_code == 200
    r = c.post(url, {"hall_summary": "本次议政综述", "used": [a.pk], "shown": [a.pk, b.pk]})
    assert r.status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert a.used_in_summary and not b.used_in_summary
    body = client_for("member3").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert "本次议政综述" in body and f"综述采纳了以下委员的意见：{a.author_label}" in body
    assert client_for("member1").get(url).status_code == 404
    assert AuditEntry.objects.filter(action="consultation.hall_summary").exists()


# --- the demo and speed ---------------------------------------------------------------------------------


def test_demo_hall_is_consistent(demo_hall, client_for):
    visible = Comment.objects.filter(consultation=demo_hall, status="visible")
    assert visible.count() == demo_hall.comment_count >= 2000
    assert Comment.objects.filter(consultation=demo_hall, status="pending").exists()
    assert Comment.objects.filter(consultation=demo_hall, status="hidden").exclude(hidden_reason="").exists()
    numbers = list(Comment.objects.filter(consultation=demo_hall).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    demo_hall.refresh_from_db()
    assert demo_hall.comment_seq == len(numbers)
    # each thread reads in the order its replies were posted: ids, numbers and times agree
    replies = list(
        Comment.objects.filter(consultation=demo_hall, parent__isnull=False)
        .order_by("root_id", "id")
        .values_list("root_id", "number", "created_at")
    )
    for (r1, n1, t1), (r2, n2, t2) in zip(replies, replies[1:], strict=False):
        assert r1 != r2 or (n1 < n2 and t1 <= t2)
    r = client_for("member1").get(reverse("consultation:hall", args=[demo_hall.pk]))
    assert r.status_code == 200 and 'id="hall-cloud"' in r.content.decode() and "wc-5" in r.content.decode()
    r = client_for("member1").get(reverse("consultation:detail", args=[demo_hall.pk]))
    assert r.status_code == 200 and 'id="hall-panel"' in r.content.decode()


def _bulk_threads(c, n, members, replies=2):
    now = timezone.now() - datetime.timedelta(minutes=30)
    roots = Comment.objects.bulk_create(
        [
            Comment(
                consultation=c,
                author_id=m.user_id,
                member=m,
                author_label=m.name,
                content=f"主题{i}",
                created_at=now,
            )
            for i, m in ((i, members[i % len(members)]) for i in range(n))
        ]
    )
    Comment.objects.filter(pk__in=[r.pk for r in roots]).update(root_id=models_F("id"), reply_count=replies)
    Comment.objects.bulk_create(
        [
            Comment(
                consultation=c,
                parent=r,
                root=r,
                author_id=members[0].user_id,
                member=members[0],
                author_label="x",
                content="回复",
                created_at=now,
            )
            for r in roots
            for _ in range(replies)
        ]
    )


def models_F(name):
    from django.db.models import F

    return F(name)


@pytest.mark.parametrize("who", ["member1", "office"])
def test_hall_page_queries_constant(hall, client_for, who):
    from zhengxie.members.models import Member

    members = list(Member.objects.filter(organisation=hall.organisation, user__isnull=False)[:5])
    c = client_for(who)
    url = reverse("consultation:hall", args=[hall.pk])
    _bulk_threads(hall, 20, members)
    c.get(url)  # warm caches (sessions, settings)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    _bulk_threads(hall, 180, members, replies=12)
    cache.clear()
    with CaptureQueriesContext(connection) as big:
        r = c.get(url)
    assert r.status_code == 200 and "更早的留言" in r.content.decode()
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]
    r = c.get(url + "?before=" + r.content.decode().split("?before=")[1].split('"')[0])
    assert r.status_code == 200


def test_thread_fragment_shows_all_replies(hall, user, client_for):
    root = post(user("member1"), hall, "主题")
    for i in range(12):
        post(user("member2"), hall, f"回复{i}", parent_id=root.pk)
    c = client_for("member3")
    page = c.get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    assert "回复9" in page and "回复11" not in page and "展开其余2条回复" in page
    r = c.get(reverse("consultation:hall_thread", args=[hall.pk, root.pk]), headers={"HX-Request": "true"})
    assert r.status_code == 200 and "回复11" in r.content.decode()


def test_word_cloud_counts_terms(hall, user):
    from zhengxie.consultation import wordcloud

    for _ in range(3):
        post(user("member1"), hall, "建议建设立体停车库，缓解停车难。")
    terms = {t["term"]: t for t in wordcloud.compute(hall.pk)}
    assert "停车" in terms or "停车库" in terms
    assert "建议" not in terms
    assert json.dumps(wordcloud.terms(hall))


def test_staff_todo_for_pending_public_comments(demo_hall, user):
    from zhengxie.consultation.nav import hall_todos

    items = hall_todos(user("office"))
    assert items and items[0]["count"] >= 1 and f"/consultation/{demo_hall.pk}/hall/" in items[0]["url"]
    assert hall_todos(user("member1")) == []


def test_empty_comment_messages_from_the_service(hall, county, client, client_for):
    r = client_for("member1").post(reverse("consultation:hall_post", args=[hall.pk]), {"content": ""})
    assert r.status_code == 422 and "请填写留言内容" in r.content.decode()
    url = reverse("public_consultation:hall", args=[county.code, hall.pk])
    r = client.post(url, {"content": "", "consent": "on"})
    assert r.status_code == 422 and "请填写留言内容" in r.content.decode()
    assert not Comment.objects.filter(consultation=hall).exists()


def test_a_staff_comment_is_named_once(hall, user, client_for):
    """A comment of the office reads 工作人员 once (its label), not 工作人员 工作人员 (label and badge)."""
    post(user("office"), hall, "欢迎各位委员积极建言。")
    body = client_for("member1").get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    comment = body.split('class="hall-comment"')[1].split("hall-text")[0]
    assert comment.count("工作人员") == 1
