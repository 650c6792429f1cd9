"""「？」 hints (issue 15): the one include (includes/hint.html) on each complex form — proposal drafting (类型,
类别, 联名), review, assignment, reply, evaluation, 社情民意 review, meeting creation, the scoring scheme —
a keyboard- and touch-reachable button whose popover says the rule with the committee's own numbers."""

import re

import pytest

from zhengxie.core import hints, orgsettings

pytestmark = pytest.mark.django_db

HINT = re.compile(
    r'<button type="button" class="[^"]*zx-hint" data-bs-toggle="popover" data-bs-title="([^"]+)" '
    r'data-bs-content="([^"]+)" data-hint="([^"]+)" aria-label="说明：([^"]+)">'
)


def hints_on(body: str) -> dict[str, str]:
    return {m.group(3): m.group(2) for m in HINT.finditer(body)}


def _proposal_for(user, action, statuses):
    from zhengxie.proposals import selectors
    from zhengxie.proposals.models import Proposal

    for p in Proposal.objects.filter(status__in=statuses, organisation__code="demo-county").order_by("pk"):
        p = selectors.detail_prefetch(Proposal.objects.filter(pk=p.pk)).get()
        if action in selectors.allowed_actions(user, p):
            return p
    pytest.skip(f"no demo proposal offers {action} to {user}")


def test_every_hint_reads_its_numbers_from_the_settings(user):
    org = user("staff").organisation
    for key in hints.HINTS:
        title, text = hints.get(key, org)
        assert title and text and "{" not in text, key


def test_drafting_form_explains_kind_category_and_cosigners(client_for, user):
    body = client_for("member1").get("/proposals/new/").content.decode()
    found = hints_on(body)
    assert {"proposals.ProposalForm.kind", "proposals.ProposalForm.category", "proposals.cosigners"} <= set(
        found
    )
    days = orgsettings.get(user("member1").organisation, "proposals.cosign_days")
    assert f"须在 {days} 天内确认附议" in found["proposals.ProposalForm.kind"]
    assert "科教文卫" in found["proposals.ProposalForm.category"]
    assert 'aria-label="说明：提案类型"' in body
    # The 联名 hint sits after its label, not on a line of its own in the middle of the card (a card is a
    # flex column: a bare label and button became two stacked, centred rows).
    assert re.search(
        r'<div><label class="form-label" for="cosigner-q">联名附议委员</label><button[^>]+zx-hint', body
    )


def test_office_forms_review_and_assign(client_for, user):
    staff = user("staff")
    c = client_for("staff")
    p = _proposal_for(staff, "review", ["submitted"])
    found = hints_on(c.get(f"/proposals/{p.pk}/do/review/").content.decode())
    assert "并案" in found["proposals.ReviewForm.decision"]
    p = _proposal_for(staff, "assign", ["accepted"])
    found = hints_on(c.get(f"/proposals/{p.pk}/do/assign/").content.decode())
    assert "分办" in found["proposals.AssignForm.mode"]
    days = orgsettings.get(staff.organisation, "proposals.reply_days")
    assert f"留空时自交办之日起 {days} 天" in found["proposals.AssignForm.deadline"]
    # 打包交办 (主办＋会办 only) is the same form: the same deadline hint.
    found = hints_on(c.get("/proposals/assign/batch/").content.decode())
    assert "proposals.AssignForm.deadline" in found


def test_unit_reply_form_explains_the_classes(client_for, user):
    p = _proposal_for(user("handler1"), "reply", ["assigned", "handling", "rehandling"])
    found = hints_on(client_for("handler1").get(f"/proposals/{p.pk}/do/reply/").content.decode())
    text = found["proposals.ReplyForm.result_class"]
    assert "A类" in text and "B类答复须跟踪落实" in text and "C类" in text


def test_evaluation_form_explains_unsatisfied(client_for, user):
    from zhengxie.proposals.models import Signer

    for s in Signer.objects.filter(
        proposal__status="replied", proposal__organisation__code="demo-county", status="agreed"
    ).select_related("member__user"):
        username = s.member.user.username
        try:
            p = _proposal_for(user(username), "evaluate", ["replied"])
        except pytest.skip.Exception:
            continue
        found = hints_on(client_for(username).get(f"/proposals/{p.pk}/do/evaluate/").content.decode())
        assert "重新办理" in found["proposals.EvaluateForm.rating"]
        return
    pytest.skip("no replied demo proposal waits for a rating")


def test_opinion_review_panel(client_for, user):
    from zhengxie.opinions.models import Opinion

    o = Opinion.objects.filter(organisation=user("info").organisation, status="submitted").first()
    assert o is not None
    found = hints_on(client_for("info").get(f"/opinions/{o.pk}/").content.decode())
    assert "留存未录用" in found["opinions.review"]


def test_meeting_creation(client_for):
    found = hints_on(client_for("staff").get("/activities/new/").content.decode())
    assert "缺席" in found["activities.MeetingForm.kind"]
    assert "二维码" in found["activities.MeetingForm.checkin_before_minutes"]


def test_scoring_scheme_editor(client_for):
    found = hints_on(client_for("admin").get("/performance/scheme/").content.decode())
    assert {"performance.scheme.points", "performance.scheme.rules", "performance.scheme.warnings"} <= set(
        found
    )


def test_the_script_is_served_on_every_page(client_for):
    assert "/static/js/hints.js" in client_for("member1").get("/").content.decode()
