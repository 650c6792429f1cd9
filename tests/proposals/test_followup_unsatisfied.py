"""Issue 15: a 不满意 rating on a B-class reply ends its follow-up (跟踪落实) the same way on every path — the
proposer rating, one of joint proposers rating after another was satisfied, the office recording a rating for
a member, a re-rating after re-handling — and the re-handled reply decides afresh (domain.md, "Follow-up")."""

import pytest
from django.urls import reverse

from zhengxie.core.errors import Conflict
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling import jobs as spine_jobs
from zhengxie.proposals import services
from zhengxie.proposals.models import Event, FollowUp

pytestmark = pytest.mark.django_db
St = FollowUp.Status
ENDED = "答复被评为不满意，退回重新办理"


def reply(user, p, result_class="B", content="已列入明年计划，逐步解决。"):
    services.proposal_reply(user=user("handler1"), proposal=p, result_class=result_class, content=content)
    p.refresh_from_db()


def rate(user, p, who="member1", rating="unsatisfied", **kw):
    comment = "落实不够具体。" if rating == "unsatisfied" else ""
    services.proposal_evaluate(user=user(who), proposal=p, rating=rating, comment=comment, **kw)
    p.refresh_from_db()


@pytest.fixture
def b_replied(proposal_in, user):
    def make(**kw):
        p = proposal_in("handling", **kw)
        reply(user, p)
        return p, FollowUp.objects.get(case_id=p.case_id)

    return make


def test_the_proposers_unsatisfied_rating_ends_the_open_followup(user, b_replied):
    p, f = b_replied()
    rate(user, p)
    f.refresh_from_db()
    assert p.status == "rehandling"
    assert f.status == St.SUPERSEDED and f.end_reason == ENDED
    # The timeline, the audit entry and the unit's notice say so.
    ev = Event.objects.filter(case_id=p.case_id, action="evaluate").latest("id")
    assert ev.label.endswith("，跟踪落实终止")
    entry = AuditEntry.objects.filter(action="proposals.evaluate", target_id=str(p.pk)).latest("id")
    assert entry.after["followup"] == f.pk and entry.after["followup_status"] == "superseded"
    note = Notification.objects.filter(user__username="handler1", title__contains="需重新办理").latest("id")
    assert "跟踪落实同时终止" in note.body
    # The ended follow-up takes no more reports, and the daily job does not chase it.
    with pytest.raises(Conflict):
        services.followup_report(user=user("handler1"), followup=f, content="继续推进。")
    assert spine_jobs.check_followups()["followup_reminded"] == 0


def test_a_followup_reported_done_ends_too_and_a_confirmed_one_stays_done(user, b_replied):
    p, f = b_replied(author="member2")
    services.followup_report(user=user("handler1"), followup=f, content="已完成。", done=True)
    rate(user, p, who="member2")
    f.refresh_from_db()
    assert f.status == St.SUPERSEDED and f.end_reason == ENDED  # nothing left for the office to confirm
    with pytest.raises(Conflict):
        services.followup_confirm(user=user("staff"), followup=f, accept=True)

    q, g = b_replied(author="member3")
    services.followup_report(user=user("handler1"), followup=g, content="已完成。", done=True)
    services.followup_confirm(user=user("staff"), followup=g, accept=True)
    rate(user, q, who="member3")
    g.refresh_from_db()
    assert g.status == St.DONE and g.end_reason == ""  # a confirmed fact is not undone
    reply(user, q, content="第二轮：继续推进后续工作。")  # B again: a new follow-up for the further work
    assert FollowUp.objects.get(case_id=q.case_id, status=St.OPEN).pk != g.pk


def test_joint_proposers_any_unsatisfied_ends_it_after_another_was_satisfied(user, b_replied):
    p, f = b_replied(cosigners=["member2"])
    rate(user, p, who="member1", rating="satisfied")
    f.refresh_from_db()
    assert f.status == St.OPEN  # 满意 changes nothing
    rate(user, p, who="member2")
    f.refresh_from_db()
    assert p.status == "rehandling" and f.status == St.SUPERSEDED and f.end_reason == ENDED


def test_the_office_recording_unsatisfied_for_a_member_ends_it(user, b_replied):
    p, f = b_replied()
    rate(user, p, who="staff", member=user("member1").member.pk)
    f.refresh_from_db()
    assert f.status == St.SUPERSEDED and f.end_reason == ENDED


def test_re_rating_after_re_handling_follows_the_same_rule(user, b_replied):
    p, f1 = b_replied()
    rate(user, p)
    reply(user, p, content="第二轮：已列入计划，明年完成。")
    f2 = FollowUp.objects.get(case_id=p.case_id, status=St.OPEN)
    assert f2.pk != f1.pk and f2.reply.round == 2
    rate(user, p)  # the second reply rated 不满意 as well
    f2.refresh_from_db()
    assert f2.status == St.SUPERSEDED and f2.end_reason == ENDED
    reply(user, p, result_class="A", content="第三轮：已全部解决。")  # another class: no follow-up
    assert not FollowUp.objects.filter(case_id=p.case_id, status__in=FollowUp.ACTIVE).exists()
    rate(user, p, rating="satisfied")
    assert [x.status for x in FollowUp.objects.filter(case_id=p.case_id).order_by("id")] == [
        St.SUPERSEDED,
        St.SUPERSEDED,
    ]


def test_the_proposal_page_says_why_a_followup_ended(user, b_replied, client_for, api_for):
    p, f = b_replied()
    rate(user, p)
    page = client_for("staff").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert f"已终止（{ENDED}）" in page
    body = api_for("staff").get(f"/api/v1/followups/{f.pk}")
    assert body.json()["status"] == "superseded" and body.json()["end_reason"] == ENDED
