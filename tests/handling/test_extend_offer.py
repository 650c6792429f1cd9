"""延期 on the 督办台 is offered exactly when the service would accept it (issue #8): a row whose deadline
is already at the kind's limit (交办之日起 180 天 for proposals: a proposal re-handled after 不满意 can owe its
reply after it) shows no 延期 link — the board offered one that could only end in 「不能再延期」 — and a
forged POST is still refused. The proposal's own page and the API's `actions` say the same."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhengxie.core.errors import Invalid
from zhengxie.handling import kinds
from zhengxie.handling import services as spine
from zhengxie.handling.models import Case, Extension
from zhengxie.handling.services import flow
from zhengxie.proposals import selectors as proposal_selectors
from zhengxie.proposals.models import Proposal

from .helpers import days, text
from .test_flow import Item

pytestmark = pytest.mark.django_db


def _assigned_days_ago(p, n):
    assigned = timezone.now() - datetime.timedelta(days=n)
    Proposal.objects.filter(pk=p.pk).update(assigned_at=assigned, deadline=days(10))
    Case.objects.filter(pk=p.case_id).update(assigned_at=assigned, deadline=days(10))


def _extend_link(html, case_id) -> bool:
    return f"/handling/board/{case_id}/extend/" in html


def test_a_row_past_the_limit_offers_no_extension_and_a_forged_post_is_refused(proposal_in, client_for, user):
    late, fine = (
        proposal_in("assigned", title="超过延期上限的提案"),
        proposal_in("assigned", title="可以延期的提案"),
    )
    _assigned_days_ago(late, 200)  # limit: 20 days ago, deadline in 10 days
    _assigned_days_ago(fine, 100)  # limit: in 80 days

    staff = client_for("staff")
    html = text(staff.get("/handling/board/", {"q": "延期"}))
    assert "超过延期上限的提案" in html and "可以延期的提案" in html
    assert not _extend_link(html, late.case_id)
    assert _extend_link(html, fine.case_id)

    # The same rule on the proposal's page and in its API actions.
    assert "extend" not in proposal_selectors.allowed_actions(user("staff"), Proposal.objects.get(pk=late.pk))
    assert "extend" in proposal_selectors.allowed_actions(user("staff"), Proposal.objects.get(pk=fine.pk))
    assert not spine.may_extend(user("staff"), Case.objects.get(pk=late.case_id))
    assert spine.may_extend(user("staff"), Case.objects.get(pk=fine.case_id))

    # A forged POST is refused, nothing moves.
    r = staff.post(
        f"/handling/board/{late.case_id}/extend/", {"new_deadline": str(days(15)), "reason": "协调"}
    )
    assert r.status_code == 422 and "不能再延期" in text(r)
    assert Case.objects.get(pk=late.case_id).deadline == days(10)
    assert not Extension.objects.filter(case_id=late.case_id).exists()


def test_the_extend_page_of_an_item_past_the_limit_says_so_without_a_form(proposal_in, client_for):
    p = proposal_in("assigned")
    _assigned_days_ago(p, 200)
    r = client_for("staff").get(f"/handling/board/{p.case_id}/extend/")
    assert r.status_code == 200
    assert "不能再延期" in text(r)
    assert "批准延期" not in text(r)


LIMITED = kinds.register(
    kinds.Kind(
        name="flow_limit_test",
        label="测试限期事项",
        prefix="flowlimittest",
        flow=True,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        office="information",
        office_label="信息科",
        max_extension_days=30,
        may_view=lambda case, user: True,
    )
)


def test_a_flow_kind_keeps_its_limit_in_what_it_offers_and_accepts(user, units):
    """A kind run by the spine's flow with a limit (Kind.max_extension_days): 延期 is offered and accepted
    up to it, neither once the deadline is at it."""
    case = flow.route(
        user=user("info"),
        kind=LIMITED.name,
        item=Item(),
        organisation=user("info").organisation,
        title="限期事项",
        unit=units["教育局"],
        deadline=days(10),
    )
    info = user("info")
    assert "extend" in flow.allowed_actions(info, Case.objects.get(pk=case.pk))
    with pytest.raises(Invalid, match="不能超过交办之日起 30 天"):
        flow.extend(user=info, case=case.pk, new_deadline=days(31), reason="协调")
    flow.extend(user=info, case=case.pk, new_deadline=days(30), reason="协调")

    Case.objects.filter(pk=case.pk).update(assigned_at=timezone.now() - datetime.timedelta(days=40))
    c = Case.objects.get(pk=case.pk)
    assert "extend" not in flow.allowed_actions(info, c)
    assert not spine.may_extend(info, c)
    with pytest.raises(Invalid, match="不能再延期"):
        flow.extend(user=info, case=case.pk, new_deadline=days(35), reason="协调")
    assert Case.objects.get(pk=case.pk).deadline == days(30)
