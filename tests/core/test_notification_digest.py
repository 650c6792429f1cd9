"""消息中心: unread messages of the same kind ("<kind>：<subject>") read as one digest entry "N条<kind>" that
opens the messages of that kind, with 标为已读 for the kind; single ones stay as they are; the workbench's
最新消息 shows the digests too. Modules notify as before."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from zhengxie.core.models import Notification
from zhengxie.core.notifications import notify

pytestmark = pytest.mark.django_db

KIND = "新交办提案"


def _fresh_inbox(user):
    """member3 with only the messages of the test (the demo's are marked read)."""
    Notification.objects.filter(user=user, read_at__isnull=True).update(read_at="2026-01-01T00:00:00Z")


def test_unread_messages_of_a_kind_are_one_digest_that_opens_them(client_for, user):
    m = user("member3")
    _fresh_inbox(m)
    for i in range(5):
        notify([m], f"{KIND}：关于第{i}号事项的提案", url=f"/proposals/{900 + i}/", category="proposal")
    notify([m], "会议通知：常委会第三次会议", url="/activities/1/")
    notify([m], "系统维护通知")
    notify([m], "系统维护通知")  # no "：": the same title is the same kind
    c = client_for("member3")

    page = c.get(reverse("core:inbox")).content.decode()
    assert (
        page.count(
            'class="list-group-item d-flex flex-wrap gap-2 align-items-center justify-content-between digest"'
        )
        == 2
    )
    assert f"5条{KIND}" in page and "2条系统维护通知" in page
    assert "关于第3号事项的提案" not in page  # inside the digest, not listed one by one
    assert "会议通知：常委会第三次会议" in page  # a single one as it is
    # Only unread messages make digests: the old read ones are listed as before.
    assert page.count(f"5条{KIND}") == 1

    # The digest opens the messages of its kind, each a link to its item.
    url = reverse("core:inbox") + "?kind=" + KIND
    assert url.replace(KIND, "%E6%96%B0%E4%BA%A4%E5%8A%9E%E6%8F%90%E6%A1%88") in page
    r = c.get(url)
    kind_page = r.content.decode()
    assert r.context["page_obj"].paginator.count == 5 and "5 条未读" in kind_page
    assert (
        all(f"关于第{i}号事项的提案" in kind_page for i in range(5)) and "常委会第三次会议" not in kind_page
    )
    assert "本类标为已读" in kind_page

    # The workbench's 最新消息 shows the digests first.
    home = c.get("/").content.decode()
    assert f"5条{KIND}" in home and "关于第0号事项的提案" not in home

    # 标为已读 of one kind: only those, back where the user was.
    r = c.post(reverse("core:inbox_read_all"), {"kind": KIND, "next": url})
    assert r.status_code == 302 and unquote(r["Location"]) == url
    assert not Notification.objects.filter(user=m, read_at__isnull=True, title__startswith=KIND).exists()
    assert Notification.objects.filter(user=m, read_at__isnull=True).count() == 3
    page = c.get(reverse("core:inbox")).content.decode()
    assert f"5条{KIND}" not in page and "关于第3号事项的提案" in page  # read now: listed as before
    assert "2条系统维护通知" in page


def test_a_message_of_a_digest_is_read_one_by_one_too(client_for, user):
    m = user("member3")
    _fresh_inbox(m)
    notes = [notify([m], f"{KIND}：第{i}件", url=f"/proposals/{950 + i}/")[0] for i in range(3)]
    c = client_for("member3")
    r = c.post(reverse("core:notification_read", args=[notes[0].pk]))
    assert r["Location"] == "/proposals/950/"
    assert f"2条{KIND}" in c.get(reverse("core:inbox")).content.decode()
    c.post(reverse("core:notification_read", args=[notes[1].pk]))
    page = c.get(reverse("core:inbox")).content.decode()
    assert f"条{KIND}" not in page.replace(f"{KIND}：", "") and f"{KIND}：第2件" in page  # one left: single


def test_the_kind_filter_and_read_all_stay_within_the_user(client_for, user):
    other = user("member2")
    notify([other], f"{KIND}：别人的")
    notify([other], f"{KIND}：别人的二")
    c = client_for("member3")
    assert "别人的" not in c.get(reverse("core:inbox") + "?kind=" + KIND).content.decode()
    c.post(reverse("core:inbox_read_all"), {"kind": KIND})
    assert Notification.objects.filter(user=other, read_at__isnull=True, title__startswith=KIND).count() == 2
    # An outside `next` is not followed.
    r = c.post(reverse("core:inbox_read_all"), {"kind": KIND, "next": "https://evil.example/"})
    assert r["Location"] == reverse("core:inbox")


def test_the_inbox_reads_a_constant_number_of_queries(client_for, user, django_assert_max_num_queries):
    m = user("member3")
    _fresh_inbox(m)
    for i in range(3):
        notify([m], f"{KIND}：甲{i}")
        notify([m], f"会议通知：乙{i}")
    c = client_for("member3")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        c.get(reverse("core:inbox"))
    for i in range(20):
        notify([m], f"{KIND}：丙{i}")
        notify([m], f"缺席提醒：丁{i}")
        notify([m], f"单条{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        r = c.get(reverse("core:inbox"))
    assert "3条缺席提醒" not in r.content.decode() and "20条缺席提醒" in r.content.decode()


def test_the_kind_is_the_title_up_to_its_first_colon_or_bracket(client_for, user):
    from zhengxie.core.selectors import digests, kind_of

    assert kind_of("新交办微建议：城关镇路灯") == "新交办微建议"
    assert kind_of("微建议已办结（评价：满意）：我县村卫生室") == "微建议已办结"
    assert kind_of("系统维护通知") == "系统维护通知"
    m = user("member3")
    _fresh_inbox(m)
    notify([m], "微建议已办结（评价：满意）：城关镇路灯损坏")
    notify([m], "微建议已办结（评价：基本满意）：村卫生室缺药")
    notify([m], "微建议已办结：农贸市场")
    [d] = digests(m)
    assert d["label"] == "3条微建议已办结"  # SQL and Python agree
    page = client_for("member3").get(d["url"]).content.decode()
    assert all(t in page for t in ("城关镇路灯损坏", "村卫生室缺药", "农贸市场"))


def test_a_kind_that_reads_as_a_sentence_keeps_its_words():
    from zhengxie.core.selectors import digest_label

    assert digest_label("新交办提案", 46) == "46条新交办提案"
    assert digest_label("您有一项重点工作任务", 11) == "您有一项重点工作任务（11条）"
