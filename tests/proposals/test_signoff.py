"""签发 of proposal replies: with "proposals.head_signoff" on, handler1's reply is a draft that waits for
unithead1 (县教育局's head), who returns it with a reason or signs it; signed, the proposal is 已答复
exactly as after a direct reply (the proposers asked to rate), and the reply records who signed and when.
Off (the default) every page and API answer stays as it was."""

from __future__ import annotations

import pytest

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.models import Assignment, Reply
from zhengxie.proposals import selectors, services

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def signoff_on(user, on=True):
    org = user("staff").organisation
    org.settings = {**(org.settings or {}), "proposals.head_signoff": on}
    org.save(update_fields=["settings"])


def test_off_by_default(user, proposal_in, api_for):
    p = proposal_in("handling")
    r = api_for("handler1").post(
        f"/api/v1/proposals/{p.pk}/reply",
        {"result_class": "A", "content": "已采纳。"},
        content_type="application/json",
    )
    body = r.json()
    assert body["status"] == "replied" and body["signoff"] is None
    assert body["replies"][0]["signed_by"] is None
    assert "sign" not in body["allowed_actions"]


def test_handler_drafts_head_returns_then_signs_proposers_rate(user, proposal_in, client_for, api_for):
    signoff_on(user)
    p = proposal_in("assigned", cosigners=["member2"])
    handler, head = client_for("handler1"), client_for("unithead1")

    r = handler.post(
        f"/proposals/{p.pk}/do/reply/",
        {"result_class": "B", "content": "拟答复：列入明年计划。", "letter": pdf_upload()},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    p.refresh_from_db()
    assert p.status == "handling" and not Reply.objects.filter(case_id=p.case_id).exists()
    assert Assignment.objects.get(case_id=p.case_id).signoff == "pending"
    assert Notification.objects.filter(
        user__username="unithead1", title__startswith="待签发：提案答复"
    ).exists()
    letter = Assignment.objects.get(case_id=p.case_id).drafts.get().letter
    assert client_for("unithead1").get(f"/files/{letter.pk}/").status_code == 200
    assert client_for("member1").get(f"/files/{letter.pk}/").status_code == 404
    # Not yet asked to rate this proposal (the demo may ask member1 about other items).
    assert not Notification.objects.filter(
        user__username="member1", title__startswith="您的提案已答复，请评价"
    ).exists()
    assert selectors.allowed_actions(user("handler1"), p) >= {"record_contact"}
    assert "reply" not in selectors.allowed_actions(user("handler1"), p)

    # The head: 签发 offered, the draft shown on the proposal and on the 签发 page.
    assert "sign" in selectors.allowed_actions(user("unithead1"), p)
    html = head.get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="btn-sign"' in html and "拟答复：列入明年计划。" in html
    assert "拟答复：列入明年计划。" not in client_for("member1").get(f"/proposals/{p.pk}/").content.decode()
    r = head.post(f"/proposals/{p.pk}/do/sign/", {"decision": "return", "reason": ""})
    assert r.status_code == 422 and "退回修改时请写明理由。" in r.content.decode()
    r = head.post(f"/proposals/{p.pk}/do/sign/", {"decision": "return", "reason": "请写明资金来源。"})
    assert r.status_code == 302
    assert Notification.objects.filter(
        user__username="handler1", title__startswith="答复稿被退回修改"
    ).exists()

    # The handler finds the draft and the reason on the reply page, and submits again over the API.
    html = handler.get(f"/proposals/{p.pk}/do/reply/").content.decode()
    assert "退回理由：请写明资金来源。" in html and "拟答复：列入明年计划。</textarea>" in html
    body = api_for("handler1").get(f"/api/v1/proposals/{p.pk}").json()
    assert body["signoff"]["status"] == "returned" and "reply" in body["allowed_actions"]
    r = api_for("handler1").post(
        f"/api/v1/proposals/{p.pk}/reply",
        {"result_class": "B", "content": "列入明年计划，资金由县财政安排。"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["signoff"]["status"] == "pending"

    # 签发 over the API: sent as a direct reply is.
    r = api_for("unithead1").post(
        f"/api/v1/proposals/{p.pk}/sign", {"decision": "sign"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "replied" and body["signoff"] is None
    [rp] = body["replies"]
    assert rp["content"] == "列入明年计划，资金由县财政安排。" and rp["result_class"] == "B"
    assert rp["signed_by"] == user("unithead1").name and rp["signed_at"] and rp["letter_url"]
    reply = Reply.objects.get(case_id=p.case_id)
    assert reply.replied_by.username == "handler1" and reply.signed_by.username == "unithead1"
    for name in ("member1", "member2"):
        assert Notification.objects.filter(
            user__username=name, title__startswith="您的提案已答复，请评价"
        ).exists()
    assert reply.letter_id == letter.pk
    assert client_for("member1").get(f"/files/{letter.pk}/").status_code == 200
    assert p.case.followups.count() == 1  # a B-class reply is followed up, as a direct one is
    assert "签发于" in client_for("member1").get(f"/proposals/{p.pk}/").content.decode()
    actions = (
        AuditEntry.objects.filter(target_id=str(p.pk), action__startswith="proposals.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert [a for a in actions if a.split(".")[1] in ("reply_draft", "return_draft", "sign", "reply")] == [
        "proposals.reply_draft",
        "proposals.return_draft",
        "proposals.reply_draft",
        "proposals.sign",
    ]

    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    services.proposal_evaluate(user=user("member2"), proposal=p, rating="satisfied")
    services.proposal_close(user=user("staff"), proposal=p)
    p.refresh_from_db()
    assert p.status == "closed"


def test_who_may_sign(user, proposal_in, api_for):
    signoff_on(user)
    p = proposal_in("handling")
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="拟答复。")
    for name, status in (("handler1", 403), ("staff", 403), ("member1", 403), ("handler2", 404)):
        r = api_for(name).post(
            f"/api/v1/proposals/{p.pk}/sign", {"decision": "sign"}, content_type="application/json"
        )
        assert r.status_code == status, (name, r.content)
    r = api_for("unithead1").post(
        f"/api/v1/proposals/{p.pk}/sign", {"decision": "x"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "decision"
