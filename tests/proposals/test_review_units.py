"""Issue 15, the office at the peak: the review form's 立案 also chooses the 主办单位 (searchable, filled by
智能分办's 采用) and 重点提案, so a plain case is accepted, assigned and marked in one step and one transaction;
会办, 分办 or another deadline still go through 立案并交办 → 交办. On a phone the proposal's summary comes
before the form (the reviewer reads it first)."""

import re

import pytest
from django.urls import reverse

from zhengxie.core.errors import Invalid
from zhengxie.core.models import AuditEntry, HandlingUnit, Notification
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def _url(p):
    return reverse("proposals:action", args=[p.pk, "review"])


def test_the_review_form_offers_the_lead_unit_and_key_with_accept_only(client_for, proposal_in):
    page = client_for("staff").get(_url(proposal_in("submitted"))).content.decode()
    for name in ("lead_unit", "is_key"):
        assert re.search(
            rf'data-show-when="decision=accept">\s*(<div[^>]*>\s*)?<(label|input)[^>]*id_{name}', page
        ), name
    assert re.search(r'<select name="lead_unit"[^>]*data-searchable', page)
    assert "暂不交办" in page and "县教育局" in page


def test_accept_with_a_unit_and_key_assigns_and_marks_it_at_once(client_for, user, units, proposal_in):
    p = proposal_in("submitted")
    c = client_for("staff")
    r = c.post(
        _url(p),
        {"decision": "accept", "category": "科教文卫", "lead_unit": units["教育局"].pk, "is_key": "on"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("proposals:detail", args=[p.pk])
    shown = [str(m) for m in c.get(r["Location"]).context["messages"]]
    assert f"已立案并交{units['教育局'].name}主办，列为重点提案。" in shown
    p.refresh_from_db()
    assert p.status == Proposal.Status.ASSIGNED and p.number and p.is_key
    assert p.case.assignments.get(is_active=True).unit == units["教育局"]
    assert Notification.objects.filter(user=user("handler1"), title__startswith="新交办提案（主办）").exists()
    actions = list(AuditEntry.objects.filter(target_id=str(p.pk)).values_list("action", flat=True))
    assert {"proposals.accept", "proposals.assign", "proposals.mark_key"} <= set(actions), actions


def test_accept_without_a_unit_only_accepts(client_for, proposal_in):
    p = proposal_in("submitted")
    r = client_for("staff").post(_url(p), {"decision": "accept", "category": "科教文卫", "lead_unit": ""})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Proposal.Status.ACCEPTED and not p.is_key


def test_another_decision_ignores_the_unit_and_key(client_for, units, proposal_in):
    p = proposal_in("submitted")
    r = client_for("staff").post(
        _url(p), {"decision": "to_suggestion", "lead_unit": units["教育局"].pk, "is_key": "on", "note": "转"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Proposal.Status.CONVERTED and not p.is_key


def test_a_unit_outside_the_committee_is_refused_in_chinese_and_keeps_the_input(client_for, proposal_in):
    p = proposal_in("submitted")
    other = HandlingUnit.objects.exclude(organisation=p.organisation).first()
    r = client_for("staff").post(
        _url(p), {"decision": "accept", "category": "科教文卫", "lead_unit": other.pk, "note": "已写的意见"}
    )
    assert r.status_code == 422
    assert r.context["form"].errors["lead_unit"] == ["所选单位无效。"]
    assert "已写的意见" in r.content.decode()
    p.refresh_from_db()
    assert p.status == Proposal.Status.SUBMITTED


def test_a_failed_assignment_leaves_nothing_half_written(user, proposal_in):
    """The service: 立案 + 交办 + 重点 in one transaction — a unit the spine refuses undoes the 立案 too."""
    p = proposal_in("submitted")
    other = HandlingUnit.objects.exclude(organisation=p.organisation).first()
    with pytest.raises(Invalid):
        services.proposal_review_and_assign(
            user=user("staff"), proposal=p, decision="accept", lead_unit=other, is_key=True
        )
    p.refresh_from_db()
    assert p.status == Proposal.Status.SUBMITTED and p.number is None and not p.is_key
    assert not AuditEntry.objects.filter(target_id=str(p.pk), action="proposals.accept").exists()


def test_on_a_phone_the_summary_comes_before_the_form(client_for, proposal_in):
    """The summary is first in the page (a phone shows it first); at ≥ 992 px the grid puts it to the right."""
    page = client_for("staff").get(_url(proposal_in("submitted"))).content.decode()
    assert page.index('id="proposal-summary"') < page.index('id="action-form"')
    assert re.search(r'class="[^"]*zx-review-summary[^"]*"[^>]*id="proposal-summary"', page)


def test_the_review_page_runs_a_bounded_number_of_queries(
    client_for, proposal_in, django_assert_max_num_queries
):
    c = client_for("staff")
    url = _url(proposal_in("submitted"))
    c.get(url)
    # 18 measured with the unit picker (one query for the committee's units, however many).
    with django_assert_max_num_queries(18):
        assert c.get(url).status_code == 200
