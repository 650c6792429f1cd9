"""撤回 and 删除草稿 (issue 15): the first proposer takes a submitted proposal back before review (it is a
draft again, the office no longer sees it, co-signers are told and asked again next time, the submission's
credit goes) and deletes a draft; both from the page (after a confirmation) and the API."""

import pytest
from django.contrib.contenttypes.models import ContentType

from zhengxie.core.models import AuditEntry
from zhengxie.performance.models import DutyRecord
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal, Signer

pytestmark = pytest.mark.django_db
S = Proposal.Status


def submit_credits(p):
    return DutyRecord.objects.filter(
        act="proposal_submit",
        voided=False,
        source_ct=ContentType.objects.get_for_model(Proposal),
        source_id=str(p.pk),
    ).count()


def test_author_withdraws_a_submitted_proposal_from_the_page(proposal_in, client_for, user):
    p = proposal_in("submitted")
    assert submit_credits(p) == 1
    c = client_for("member1")
    page = c.get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="btn-withdraw"' in page and 'id="btn-delete"' not in page
    form = c.get(f"/proposals/{p.pk}/withdraw/").content.decode()
    assert 'data-confirm="确定撤回该提案吗？"' in form and 'data-charcount="reason-count"' in form
    r = c.post(f"/proposals/{p.pk}/withdraw/", {"reason": "需补充调研材料。"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == S.DRAFT and p.submitted_at is None
    assert submit_credits(p) == 0
    staff = user("staff")
    assert staff.notifications.filter(title__startswith="提案已由提案人撤回").exists()
    assert client_for("staff").get(f"/proposals/{p.pk}/").status_code == 404  # a draft again
    entry = AuditEntry.objects.get(action="proposals.withdraw", target_id=str(p.pk))
    assert entry.before["status"] == "submitted" and entry.after["reason"] == "需补充调研材料。"
    # It can be edited and submitted again.
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    p.refresh_from_db()
    assert p.status == S.SUBMITTED and submit_credits(p) == 1


def test_joint_proposal_withdrawn_while_awaiting_cosigners_asks_them_again(proposal_in, api_for, user):
    p = services.proposal_create(
        user=user("member1"),
        kind="joint",
        cosigner_ids=[user("member2").member.pk, user("member3").member.pk],
        **_text(),
    )
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    services.proposal_cosign(user=user("member2"), proposal=p, agree=True)
    r = api_for("member1").post(
        f"/api/v1/proposals/{p.pk}/withdraw", {"reason": "调整联名人"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert set(Signer.objects.filter(proposal=p, role="cosigner").values_list("status", flat=True)) == {
        "invited"
    }
    assert user("member2").notifications.filter(title__startswith="提案人已撤回提案").exists()
    assert user("member3").notifications.filter(title__startswith="提案人已撤回提案").exists()


def _text():
    from .conftest import TEXT

    return dict(TEXT)


@pytest.mark.parametrize("state", ["accepted", "draft"])
def test_withdraw_is_refused_after_review_and_for_a_draft(state, proposal_in, api_for):
    p = proposal_in(state)
    r = api_for("member1").post(f"/api/v1/proposals/{p.pk}/withdraw", {}, content_type="application/json")
    assert r.status_code == 409 and "撤回" in r.json()["detail"]


def test_only_the_first_proposer_withdraws(proposal_in, api_for, client_for):
    p = proposal_in("submitted", cosigners=["member2"])
    r = api_for("member2").post(f"/api/v1/proposals/{p.pk}/withdraw", {}, content_type="application/json")
    assert r.status_code == 403
    assert 'id="btn-withdraw"' not in client_for("member2").get(f"/proposals/{p.pk}/").content.decode()
    r = api_for("member1").post(
        f"/api/v1/proposals/{p.pk}/withdraw", {"reason": "长" * 201}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "reason"


def test_author_deletes_a_draft_from_the_page_and_the_api(proposal_in, client_for, api_for):
    p = proposal_in("draft")
    c = client_for("member1")
    assert 'id="btn-delete"' in c.get(f"/proposals/{p.pk}/").content.decode()
    assert "删除后不能恢复" in c.get(f"/proposals/{p.pk}/delete/").content.decode()
    r = c.post(f"/proposals/{p.pk}/delete/")
    assert r.status_code == 302 and r["Location"] == "/proposals/mine/"
    assert not Proposal.objects.filter(pk=p.pk).exists()
    # Its spine case goes too: an orphan case once broke the nightly sync of every proposal case.
    from zhengxie.handling.models import Case

    assert not p.case_id or not Case.objects.filter(pk=p.case_id).exists()
    q = proposal_in("draft")
    assert api_for("member2").delete(f"/api/v1/proposals/{q.pk}").status_code == 404  # not visible
    assert api_for("member1").delete(f"/api/v1/proposals/{q.pk}").status_code == 204
    s = proposal_in("submitted")
    assert api_for("member1").delete(f"/api/v1/proposals/{s.pk}").status_code == 409
