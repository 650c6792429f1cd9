"""签发 on a flow kind: with `<prefix>.head_signoff` on, the handler's reply is a draft that waits for the
unit head (unithead1 of 县教育局), who signs it (the case is 已答复 exactly as after a direct reply, the
raters asked) or returns it with a reason (the handler edits and submits again). Off (the default) nothing
changes. Audit, notifications, the inbox's 待签发 and to-dos, and who may."""

from __future__ import annotations

import re

import pytest

from tests.proposals.conftest import pdf_upload
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.core.navigation import todos_for
from zhengxie.handling.models import Assignment, Case, Reply, ReplyDraft
from zhengxie.handling.services import flow

from .helpers import county, text
from .test_flow import api, page, post, route

pytestmark = pytest.mark.django_db


def signoff_on(prefix="flowtest", on=True):
    org = county()
    org.settings = {**(org.settings or {}), f"{prefix}.head_signoff": on}
    org.save(update_fields=["settings"])


def _case(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_off_by_default_the_handlers_reply_is_sent_at_once(user, units, api_for):
    case = route(user, units)
    body = post(api_for("handler1"), case, "reply", {"content": "已办理。"}).json()
    assert body["status"] == "replied" and body["signoff"] is None
    assert body["replies"][0]["signed_by"] is None and body["replies"][0]["signed_at"] is None
    assert not ReplyDraft.objects.filter(case=case).exists()


def test_draft_return_resubmit_sign_then_rate(user, units, client_for, api_for):
    signoff_on()
    case = route(user, units)
    handler, head = client_for("handler1"), client_for("unithead1")

    # The handler's reply (with its letter) is a draft: nothing is sent, the head is told.
    r = handler.post(
        f"/handling/cases/{case.pk}/reply/", {"content": "拟答复：已修复路灯。", "letter": pdf_upload()}
    )
    assert r.status_code == 302, text(r)[:1500]
    c = _case(case)
    assert c.status == "acknowledged" and not Reply.objects.filter(case=case).exists()
    a = Assignment.objects.get(case=case)
    assert a.signoff == "pending" and a.owes and a.acknowledged_at is not None
    told = Notification.objects.filter(title="待签发：测试落实答复《关于落实县长批示：村道路灯维修》")
    assert list(told.values_list("user__username", flat=True)) == ["unithead1"]
    # The member is not yet asked to rate this case (the demo may ask them about other cases).
    assert not Notification.objects.filter(
        user__username="member1", title__startswith="测试落实已答复，请评价"
    ).exists()

    # The handler sees the draft waiting, and may not reply again; the rater sees nothing of it.
    body = api_for("handler1").get(api(case)).json()
    assert body["signoff"]["status"] == "pending" and body["actions"] == ["record_contact"]
    assert body["signoff"]["letter"]["name"] == "答复函.pdf"
    r = post(api_for("handler1"), case, "reply", {"content": "再来一次"})
    assert r.status_code == 409 and r.json()["code"] == "signoff_pending"
    assert api_for("member1").get(api(case)).json()["signoff"] is None
    # The draft's letter is the unit's until signed.
    letter = ReplyDraft.objects.get(case=case).letter
    assert client_for("unithead1").get(f"/files/{letter.pk}/").status_code == 200
    assert client_for("member1").get(f"/files/{letter.pk}/").status_code == 404

    # The head: the inbox's 待签发 and the to-do, the draft and the form on the case page.
    r = head.get("/handling/", {"status": "signoff"})
    assert [x["case_id"] for x in r.context["page_obj"].object_list] == [case.pk]
    assert any(t["label"] == "待签发的答复" and t["count"] == 1 for t in todos_for(user("unithead1")))
    assert not any(t["label"] == "待签发的答复" for t in todos_for(user("handler1")))
    r = head.get(page(case))
    html = text(r)
    assert (
        r.context["actions"] == ["sign", "record_contact"]
        and 'id="sign"' in html
        and "拟答复：已修复路灯。" in html
    )

    # Returning needs a reason (the service's message by the field, the choice kept).
    r = head.post(f"/handling/cases/{case.pk}/sign/", {"decision": "return", "reason": ""})
    assert r.status_code == 422 and "退回修改时请写明理由。" in text(r)
    assert re.search(r'value="return"[^>]*checked', text(r))
    r = head.post(f"/handling/cases/{case.pk}/sign/", {"decision": "return", "reason": "请补充维修时间。"})
    assert r.status_code == 302
    assert Assignment.objects.get(case=case).signoff == "returned"
    assert any(t["label"] == "退回修改的答复稿" and t["count"] == 1 for t in todos_for(user("handler1")))
    r = handler.get("/handling/", {"status": "returned"})
    assert [x["case_id"] for x in r.context["page_obj"].object_list] == [case.pk]
    assert "答复稿已退回" in text(r)
    assert Notification.objects.filter(
        user__username="handler1", title="答复稿被退回修改：测试落实《关于落实县长批示：村道路灯维修》"
    ).exists()

    # The handler finds the draft and the reason in the reply form, edits and submits it again.
    r = handler.get(page(case))
    html = text(r)
    assert (
        r.context["actions"] == ["reply", "request_change", "record_contact"]
        and "退回理由：请补充维修时间。" in html
    )
    assert "拟答复：已修复路灯。</textarea>" in html
    r = post(api_for("handler1"), case, "reply", {"content": "已于本月10日修复路灯12盏。"})
    assert r.status_code == 200 and r.json()["signoff"]["status"] == "pending"
    assert ReplyDraft.objects.filter(case=case).count() == 1

    # 签发 over the API: sent as a direct reply is, with who signed and when; the raters are asked.
    r = post(api_for("unithead1"), case, "sign", {"decision": "sign"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "replied" and body["signoff"] is None
    [rp] = body["replies"]
    assert rp["content"] == "已于本月10日修复路灯12盏。" and rp["signed_by"] == user("unithead1").name
    assert rp["signed_at"] is not None and rp["letter"]["name"] == "答复函.pdf"
    reply = Reply.objects.get(case=case)
    assert reply.replied_by.username == "handler1" and reply.signed_by.username == "unithead1"
    assert Assignment.objects.get(case=case).signoff == "" and not Assignment.objects.get(case=case).owes
    assert Notification.objects.filter(
        user__username="member1", title__startswith="测试落实已答复，请评价"
    ).exists()
    assert f"{user('unithead1').name}签发于" in text(client_for("member1").get(page(case)))
    assert (
        reply.letter_id == letter.pk and client_for("member1").get(f"/files/{letter.pk}/").status_code == 200
    )

    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.json()["status"] == "closed"
    actions = AuditEntry.objects.filter(target_type="handling.case", target_id=str(case.pk)).values_list(
        "action", flat=True
    )
    assert sorted(actions) == sorted(
        f"handling.flow_test.{x}" for x in ("assign", "draft", "return_draft", "draft", "sign", "rate")
    )


def test_who_may_sign(user, units, api_for):
    signoff_on()
    case = route(user, units)
    flow.reply(user=user("handler1"), case=case, content="拟答复。")
    for name, status in (("handler1", 403), ("member1", 403), ("info", 403), ("handler2", 404)):
        assert post(api_for(name), case, "sign", {"decision": "sign"}).status_code == status, name
    r = post(api_for("unithead1"), case, "sign", {"decision": "maybe"})
    assert r.status_code == 422 and r.json()["field"] == "decision"
    # Nothing waits: 409.
    assert post(api_for("unithead1"), case, "sign", {"decision": "sign"}).status_code == 200
    r = post(api_for("unithead1"), case, "sign", {"decision": "sign"})
    assert r.status_code == 409


def test_the_head_replies_and_signs_at_once(user, units, api_for):
    signoff_on()
    case = route(user, units)
    body = post(api_for("unithead1"), case, "reply", {"content": "负责人直接答复。"}).json()
    assert body["status"] == "replied" and body["replies"][0]["signed_by"] == user("unithead1").name


def test_the_heads_inbox_reads_as_many_queries_with_1_as_with_5_drafts(user, units, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signoff_on()
    head = client_for("unithead1")

    def add(n):
        for i in range(n):
            c = route(user, units, title=f"签发样例{i}")
            flow.reply(user=user("handler1"), case=c, content="拟答复。")

    def count(params):
        head.get("/handling/", params)
        with CaptureQueriesContext(connection) as ctx:
            r = head.get("/handling/", params)
        assert r.status_code == 200
        return len(ctx.captured_queries), r

    views = {"all": {}, "to sign": {"status": "signoff"}, "red": {"light": "red"}}
    add(1)
    few = {k: count(p) for k, p in views.items()}
    add(4)
    many = {k: count(p) for k, p in views.items()}
    assert {k: v[0] for k, v in many.items()} == {k: v[0] for k, v in few.items()}
    r = many["to sign"][1]
    assert r.context["to_sign"] == 5 and len(r.context["page_obj"].object_list) == 5
    assert all(x["signoff"] == "pending" for x in r.context["page_obj"].object_list)
    html = text(r)
    assert 'id="to-sign"' in html and html.count(">待签发</span>") == 5
