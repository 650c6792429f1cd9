"""申请加入 (join instead): a member who finds a proposal on the same matter asks to join it; the first
proposer agrees or declines. Through the services, the pages and the API; the refusals with their status
codes and Chinese messages; requests lapsing at review; duty-record credit; constant queries for the hint."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.core.errors import Conflict, Forbidden
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import Session
from zhengxie.performance.models import DutyRecord
from zhengxie.proposals import reporting, selectors, services
from zhengxie.proposals.models import Event, Proposal, Signer

from .builders import new_session
from .conftest import TEXT, reload

S = Proposal.Status
API = "/api/v1/proposals"
JOIN = "申请加入该提案"
BUTTON = JOIN + "</button>"


def signer(p, username, user):
    return Signer.objects.filter(proposal=p, member=user(username).member).first()


def credits(p, username, user, act="proposal_accept"):
    return list(
        DutyRecord.objects.filter(
            member=user(username).member,
            act=act,
            voided=False,
            source_ct=ContentType.objects.get_for_model(Proposal),
            source_id=str(p.pk),
        )
    )


# --------------------------------------------------------------------------- services


def test_journey_through_services(user, proposal_in):
    p = proposal_in("submitted", author="member1")
    assert p.kind == Proposal.Kind.INDIVIDUAL
    m1, m2 = user("member1"), user("member2")
    services.proposal_request_join(user=m2, proposal=p)
    s = signer(p, "member2", user)
    assert (s.role, s.status) == (Signer.Role.COSIGNER, Signer.Status.REQUESTED)
    assert reload(p).status == S.SUBMITTED  # a request changes nothing else
    assert Notification.objects.filter(user=m1, title__contains="申请加入您的提案").exists()
    assert Event.objects.filter(
        case_id=p.case_id, action="join_request", label__contains=m2.member.name
    ).exists()
    assert AuditEntry.objects.filter(action="proposals.join_request", target_id=str(p.pk)).exists()
    # A request is not a signature: no rating, no notices meant for proposers.
    assert [x.member_id for x in selectors.raters(p)] == [m1.member.pk]

    services.proposal_decide_join(user=m1, proposal=p, member=m2.member.pk, accept=True)
    s.refresh_from_db()
    assert s.status == Signer.Status.AGREED and s.responded_at is not None
    assert reload(p).kind == Proposal.Kind.JOINT  # 个人提案 → 联名提案
    assert Notification.objects.filter(user=m2, title__contains="已同意您加入").exists()
    assert Event.objects.filter(
        case_id=p.case_id, action="join_decision", label__contains="联名提案"
    ).exists()
    assert AuditEntry.objects.filter(action="proposals.join_decision", target_id=str(p.pk)).exists()
    assert {x.member_id for x in selectors.raters(p)} == {m1.member.pk, m2.member.pk}


def test_declined_request_tells_the_requester(user, proposal_in):
    p = proposal_in("submitted", author="member1")
    services.proposal_request_join(user=user("member3"), proposal=p)
    services.proposal_decide_join(
        user=user("member1"), proposal=p, member=user("member3").member, accept=False
    )
    assert signer(p, "member3", user).status == Signer.Status.DECLINED
    assert reload(p).kind == Proposal.Kind.INDIVIDUAL
    assert Notification.objects.filter(user=user("member3"), title__contains="未同意您加入").exists()
    with pytest.raises(Conflict) as e:  # not twice, even after a refusal
        services.proposal_request_join(user=user("member3"), proposal=p)
    assert e.value.status == 409 and "不能再次申请加入" in e.value.message


def test_pending_requests_lapse_at_review_and_only_accepted_joiners_are_credited(user, proposal_in):
    p = proposal_in("submitted", author="member1")
    m1, m2, m3 = user("member1"), user("member2"), user("member3")
    services.proposal_request_join(user=m2, proposal=p)
    services.proposal_request_join(user=m3, proposal=p)
    services.proposal_decide_join(user=m1, proposal=p, member=m2.member.pk, accept=True)
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    # member3's request was never answered: it lapsed (marked declined) and member3 is told.
    assert signer(p, "member3", user).status == Signer.Status.DECLINED
    assert Notification.objects.filter(user=m3, title__contains="申请已失效").exists()
    assert Event.objects.filter(
        case_id=p.case_id, action="join_lapsed", label__contains=m3.member.name
    ).exists()
    assert AuditEntry.objects.filter(action="proposals.join_lapsed", target_id=str(p.pk)).exists()
    # Credit for 立案: the first proposer half, the accepted joiner the other half, the lapsed requester nothing.
    assert [float(d.share) for d in credits(p, "member1", user)] == [0.5]
    assert [float(d.share) for d in credits(p, "member2", user)] == [0.5]
    assert credits(p, "member3", user) == []
    assert not Notification.objects.filter(user=m3, title__contains="已立案").exists()
    with pytest.raises(Conflict) as e:
        services.proposal_decide_join(user=m1, proposal=p, member=m3.member.pk, accept=True)
    assert e.value.status == 409 and "不能处理加入申请" in e.value.message


def test_pending_request_is_not_credited_when_rejected_either(user, proposal_in):
    p = proposal_in("submitted", author="member1")
    services.proposal_request_join(user=user("member2"), proposal=p)
    services.proposal_review(user=user("staff"), proposal=p, decision="reject", reason="属于学术讨论")
    assert signer(p, "member2", user).status == Signer.Status.DECLINED
    assert credits(p, "member2", user, act="proposal_submit") == []
    assert not Notification.objects.filter(user=user("member2"), title__contains="不予立案").exists()


def test_request_does_not_hold_back_a_joint_proposal_waiting_for_co_signers(user, proposal_in):
    m1, m2, m3 = user("member1"), user("member2"), user("member3")
    p = services.proposal_create(user=m1, kind="joint", cosigner_ids=[m2.member.pk], **TEXT)
    services.proposal_submit(user=m1, proposal=p, confirm_single_matter=True)
    assert reload(p).status == S.AWAITING_COSIGNERS
    services.proposal_request_join(user=m3, proposal=p)
    services.proposal_cosign(user=m2, proposal=p, agree=True)
    assert reload(p).status == S.SUBMITTED  # every invitee agreed; the request waits for the first proposer
    assert signer(p, "member3", user).status == Signer.Status.REQUESTED
    # The first proposer's "remove who did not sign" keeps the request for them to answer.
    q = services.proposal_create(user=m1, kind="joint", cosigner_ids=[m2.member.pk], **TEXT)
    services.proposal_submit(user=m1, proposal=q, confirm_single_matter=True)
    services.proposal_request_join(user=m3, proposal=q)
    services.proposal_drop_decliners(user=m1, proposal=q)
    assert signer(q, "member2", user).status == Signer.Status.DROPPED
    assert signer(q, "member3", user).status == Signer.Status.REQUESTED
    services.proposal_decide_join(user=m1, proposal=q, member=m3.member.pk, accept=True)
    assert reload(q).kind == Proposal.Kind.JOINT


def test_refusals(user, proposal_in):
    p = proposal_in("submitted", author="member1")
    m2 = user("member2")
    with pytest.raises(Forbidden, match="自己的提案"):
        services.proposal_request_join(user=user("member1"), proposal=p)
    with pytest.raises(Forbidden, match="只有委员"):
        services.proposal_request_join(user=user("staff"), proposal=p)
    with pytest.raises(Http404):
        services.proposal_request_join(user=user("other"), proposal=p)
    draft = proposal_in("draft", author="member3")
    with pytest.raises(Http404):  # others' drafts are invisible
        services.proposal_request_join(user=m2, proposal=draft)
    services.proposal_request_join(user=m2, proposal=p)
    with pytest.raises(Conflict, match="已申请加入"):
        services.proposal_request_join(user=m2, proposal=p)
    with pytest.raises(Forbidden, match="只有第一提案人"):
        services.proposal_decide_join(user=m2, proposal=p, member=m2.member.pk, accept=True)
    services.proposal_decide_join(user=user("member1"), proposal=p, member=m2.member.pk, accept=True)
    with pytest.raises(Conflict, match="已处理过"):
        services.proposal_decide_join(user=user("member1"), proposal=p, member=m2.member.pk, accept=False)
    with pytest.raises(Conflict, match="无需再申请"):
        services.proposal_request_join(user=m2, proposal=p)
    # Past sessions' proposals are not joined (only the current session's, before review).
    old = proposal_in("submitted", author="member1")
    Proposal.objects.filter(pk=old.pk).update(session=new_session(year=2019))
    reporting.sync([old.pk])
    with pytest.raises(Conflict, match="当前会次"):
        services.proposal_request_join(user=user("member3"), proposal=old)
    assert Session.objects.get(pk=reload(old).session_id).is_current is False


def test_delete_draft_service(user, proposal_in):
    draft = proposal_in("draft", author="member2")
    with pytest.raises(Http404):  # only its author sees a draft (the service checks the author as well)
        services.proposal_delete_draft(user=user("member1"), proposal=draft)
    submitted = proposal_in("submitted", author="member2")
    with pytest.raises(Conflict, match="只有草稿可以删除"):
        services.proposal_delete_draft(user=user("member2"), proposal=submitted)
    services.proposal_delete_draft(user=user("member2"), proposal=draft)
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    entry = AuditEntry.objects.get(action="proposals.delete_draft", target_id=str(draft.pk))
    assert entry.before["title"] == draft.title and entry.actor_id == user("member2").pk


# --------------------------------------------------------------------------- pages


def test_journey_through_pages(client_for, user, proposal_in):
    p = proposal_in("submitted", author="member1", title="关于建设县城萤火虫生态保护区的建议")
    c2 = client_for("member2")
    # While typing: the hint offers to join.
    body = c2.get(
        reverse("proposals:similar"), {"title": "建设萤火虫生态保护区"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert p.title in body and BUTTON in body and reverse("proposals:join", args=[p.pk]) in body
    # The first proposer is not offered to join their own proposal.
    assert (
        BUTTON
        not in client_for("member1")
        .get(reverse("proposals:similar"), {"title": "建设萤火虫生态保护区"})
        .content.decode()
    )
    r = c2.post(reverse("proposals:join", args=[p.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"] == reverse("proposals:detail", args=[p.pk])
    assert signer(p, "member2", user).status == Signer.Status.REQUESTED
    page = c2.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "已申请加入，等待第一提案人确认" in page and 'id="join-requests"' not in page
    # Asking again from the hint: refused in place.
    r = c2.post(reverse("proposals:join", args=[p.pk]), HTTP_HX_REQUEST="true")
    assert "您已申请加入该提案" in r.content.decode() and not r.has_header("HX-Redirect")
    # The first proposer: a to-do on the workbench, the request with 同意/拒绝 on the proposal page.
    c1 = client_for("member1")
    assert "有加入申请待处理的提案" in c1.get("/").content.decode()
    page = c1.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert (
        'id="join-requests"' in page
        and "同意" in page
        and "拒绝" in page
        and user("member2").member.name in page
    )
    r = c1.post(
        reverse("proposals:join_decision", args=[p.pk]),
        {"member_id": user("member2").member.pk, "decision": "accept"},
        follow=True,
    )
    assert "已同意加入申请" in r.content.decode()
    assert signer(p, "member2", user).status == Signer.Status.AGREED and reload(p).kind == "joint"
    assert "有加入申请待处理的提案" not in c1.get("/").content.decode()
    # Somebody else cannot answer for the first proposer: refused with a message, nothing changes.
    services.proposal_request_join(user=user("member3"), proposal=p)
    r = c2.post(
        reverse("proposals:join_decision", args=[p.pk]),
        {"member_id": user("member3").member.pk, "decision": "accept"},
        follow=True,
    )
    assert "只有第一提案人可以同意或拒绝加入申请" in r.content.decode()
    assert signer(p, "member3", user).status == Signer.Status.REQUESTED
    # Another county's member cannot even find it.
    assert client_for("other").post(reverse("proposals:join", args=[p.pk])).status_code == 404


def _submit_draft(c, user, title):
    c.post(
        reverse("proposals:create"),
        {
            "title": title,
            "reasons": TEXT["reasons"],
            "suggestions": TEXT["suggestions"],
            "category": "科教文卫",
            "kind": "individual",
            "action": "save",
        },
    )
    draft = Proposal.objects.filter(author=user("member2")).latest("id")
    return draft, c.post(reverse("proposals:submit", args=[draft.pk]))


def test_confirmation_page_offers_to_join_and_drop_the_draft(client_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    c2 = client_for("member2")
    draft, r = _submit_draft(c2, user, TEXT["title"])
    body = r.content.decode()
    assert r.status_code == 200 and "已有相似的提案" in body and BUTTON in body
    assert "保留我的草稿" in body and "删除我的草稿" in body and f'name="draft_id" value="{draft.pk}"' in body
    r = c2.post(
        reverse("proposals:join", args=[p.pk]), {"draft": "delete", "draft_id": draft.pk}, follow=True
    )
    assert "已申请加入" in r.content.decode() and "草稿已删除" in r.content.decode()
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert signer(p, "member2", user).status == Signer.Status.REQUESTED
    assert AuditEntry.objects.filter(action="proposals.delete_draft", target_id=str(draft.pk)).exists()


def test_confirmation_page_keeps_the_draft_when_asked(client_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    c2 = client_for("member2")
    draft, r = _submit_draft(c2, user, TEXT["title"])
    c2.post(reverse("proposals:join", args=[p.pk]), {"draft": "keep", "draft_id": draft.pk})
    assert reload(draft).status == S.DRAFT
    assert signer(p, "member2", user).status == Signer.Status.REQUESTED
    # Once joined, the confirmation page no longer offers that proposal to join.
    r = c2.post(reverse("proposals:submit", args=[draft.pk]))
    assert f'action="{reverse("proposals:join", args=[p.pk])}"' not in r.content.decode()


def test_failed_join_keeps_the_draft(client_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    c2 = client_for("member2")
    draft, _ = _submit_draft(c2, user, TEXT["title"])
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")  # reviewed meanwhile
    r = c2.post(
        reverse("proposals:join", args=[p.pk]),
        {"draft": "delete", "draft_id": draft.pk, "next": reverse("proposals:edit", args=[draft.pk])},
        follow=True,
    )
    assert "不能申请加入" in r.content.decode()
    assert reload(draft).status == S.DRAFT and signer(p, "member2", user) is None


def test_similar_hint_with_join_buttons_keeps_a_constant_number_of_queries(client_for, proposal_in):
    c = client_for("member2")
    url = reverse("proposals:similar")
    params = {"title": "关于萤火虫栖息地保护的建议"}

    def count():
        c.get(url, params)  # warm (session, user, member)
        with CaptureQueriesContext(connection) as ctx:
            body = c.get(url, params).content.decode()
        return len(ctx), body.count(BUTTON)

    proposal_in("submitted", author="member1", title="关于萤火虫栖息地保护的建议")
    one, buttons = count()
    assert buttons == 1
    for title in (
        "关于加强萤火虫栖息地保护的建议",
        "关于萤火虫栖息地保护与修复的建议",
        "关于划定萤火虫栖息地保护区的建议",
        "关于萤火虫栖息地保护宣传的建议",
    ):
        proposal_in("submitted", author="member3", title=title)
    five, buttons = count()
    assert buttons == 5
    assert five == one


# --------------------------------------------------------------------------- API


def test_journey_through_the_api(api_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    r = api_for("member2").post(f"{API}/{p.pk}/join")  # the body is optional
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["id"] == p.pk and data["status"] == "submitted"
    me = user("member2").member.pk
    assert {"member_id": me, "status": "requested", "role": "cosigner"}.items() <= next(
        s for s in data["signers"] if s["member_id"] == me
    ).items()
    # The first proposer's client learns there is a request to answer; nobody else's does.
    assert "decide_join" in api_for("member1").get(f"{API}/{p.pk}").json()["allowed_actions"]
    assert "decide_join" not in api_for("staff").get(f"{API}/{p.pk}").json()["allowed_actions"]
    r = api_for("member1").post(
        f"{API}/{p.pk}/join_decision", {"member_id": me, "accept": True}, content_type="application/json"
    )
    assert r.status_code == 200
    data = r.json()
    assert "decide_join" not in data["allowed_actions"]
    assert (
        data["kind"] == "joint"
        and next(s for s in data["signers"] if s["member_id"] == me)["status"] == "agreed"
    )
    assert any(e["action"] == "join_decision" for e in data["timeline"])


def test_api_join_with_dropping_the_draft(api_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    draft = proposal_in("draft", author="member2")
    r = api_for("member2").post(
        f"{API}/{p.pk}/join", {"drop_draft_id": draft.pk}, content_type="application/json"
    )
    assert r.status_code == 200
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    # Somebody else's draft cannot be dropped: the whole request is refused and nothing is written.
    q = proposal_in("submitted", author="member1")
    other_draft = proposal_in("draft", author="member3")
    r = api_for("member2").post(
        f"{API}/{q.pk}/join", {"drop_draft_id": other_draft.pk}, content_type="application/json"
    )
    assert r.status_code == 404
    assert signer(q, "member2", user) is None and reload(other_draft).status == S.DRAFT


def test_api_refusals(api_for, user, proposal_in):
    p = proposal_in("submitted", author="member1")
    post = lambda who, path, body=None: api_for(who).post(  # noqa: E731
        f"{API}/{p.pk}/{path}", body or {}, content_type="application/json"
    )
    r = post("other", "join")  # another county's proposal is invisible
    assert r.status_code == 404
    r = post("member1", "join")
    assert r.status_code == 403 and "这是您自己的提案，不能申请加入" in r.json()["detail"]
    assert post("member2", "join").status_code == 200
    r = post("member2", "join")
    assert r.status_code == 409 and "您已申请加入该提案，请等待第一提案人确认" in r.json()["detail"]
    me = user("member2").member.pk
    r = post("member2", "join_decision", {"member_id": me, "accept": True})
    assert r.status_code == 403 and "只有第一提案人可以同意或拒绝加入申请" in r.json()["detail"]
    r = post("member3", "join_decision", {"member_id": me, "accept": True})
    assert r.status_code == 403
    r = post("member1", "join_decision", {"member_id": user("member3").member.pk, "accept": True})
    assert r.status_code == 422 and "该委员没有申请加入本提案" in r.json()["detail"]
    r = post("other", "join_decision", {"member_id": me, "accept": True})
    assert r.status_code == 404
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    r = post("member3", "join")
    assert r.status_code == 409 and "不能申请加入（提案立案审查后不能再加入）" in r.json()["detail"]
    r = post("member1", "join_decision", {"member_id": me, "accept": True})
    assert r.status_code == 409 and "不能处理加入申请" in r.json()["detail"]
    # The lapsed request shows as declined in the representation.
    data = api_for("member1").get(f"{API}/{p.pk}").json()
    assert next(s for s in data["signers"] if s["member_id"] == me)["status"] == "declined"
