"""The daily deadline job: overdue co-signer invitations (附议) and late co-unit opinions (会办意见)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengxie.core import scheduler
from zhengxie.core.models import Notification
from zhengxie.proposals import jobs, services
from zhengxie.proposals.models import Assignment, Event, Proposal, Signer


def _age_invitations(p, days):
    Signer.objects.filter(proposal=p, role="cosigner").update(
        invited_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_lead_proposer_is_told_once_when_cosigners_do_not_answer(user, proposal_in, client_for):
    p = proposal_in("draft", cosigners=["member2"])
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    assert Proposal.objects.get(pk=p.pk).status == "awaiting_cosigners"
    mine = Notification.objects.filter(user__username="member1", title__contains="附议逾期")

    _age_invitations(p, 6)  # within the 7 days of "proposals.cosign_days"
    jobs.check_overdue_cosigners()
    assert not mine.exists()

    _age_invitations(p, 8)
    assert jobs.check_overdue_cosigners()["cosign_overdue"] == 1
    note = mine.get()
    assert p.title in note.title and note.url == reverse("proposals:detail", args=[p.pk])
    assert "移除" in note.body and user("member2").member.name in note.body
    assert Event.objects.filter(case_id=p.case_id, action="cosign_overdue").count() == 1
    # the lead proposer sees it on the timeline and may drop the silent co-signer
    page = client_for("member1").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "附议逾期未确认" in page and "移除未附议者" in page

    # once per proposal
    assert jobs.check_overdue_cosigners()["cosign_overdue"] == 0
    assert mine.count() == 1


def test_cosign_days_is_a_setting_and_answered_invitations_do_not_count(user, proposal_in):
    p = proposal_in("draft", cosigners=["member2"])
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    _age_invitations(p, 4)
    org = p.organisation
    org.settings = {**(org.settings or {}), "proposals.cosign_days": 3}
    org.save()
    q = proposal_in("draft", author="member2", cosigners=["member3"])
    services.proposal_submit(user=user("member2"), proposal=q, confirm_single_matter=True)
    services.proposal_cosign(user=user("member3"), proposal=q, agree=True)  # answered: q is submitted
    _age_invitations(q, 4)
    jobs.check_overdue_cosigners()
    assert Notification.objects.filter(user__username="member1", title__contains="附议逾期").exists()
    assert not Notification.objects.filter(user__username="member2", title__contains="附议逾期").exists()


def test_deadline_job_is_registered_with_the_scheduler(user, proposal_in):
    p = proposal_in("draft", cosigners=["member2"])
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    _age_invitations(p, 30)
    assert "proposals.deadlines" in scheduler.JOBS
    ran = scheduler.run_due(now=timezone.now() + datetime.timedelta(days=3650))
    assert "proposals.deadlines" in ran
    assert Event.objects.filter(case_id=p.case_id, action="cosign_overdue").exists()


def _age_assignment(p, unit_name, days):
    Assignment.objects.filter(case_id=p.case_id, unit__short_name=unit_name).update(
        assigned_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_late_co_unit_is_reminded_once_and_flagged_on_the_page(user, proposal_in, client_for, units):
    p = proposal_in("handling", co=["住建局"])  # 教育局 leads, 住建局 (handler2) gives its opinion
    url = reverse("proposals:detail", args=[p.pk])
    reminders = Notification.objects.filter(user__username="handler2", title__startswith="会办意见已逾期")

    reminders = reminders.filter(title__contains=p.title)
    events = Event.objects.filter(case_id=p.case_id, action="co_opinion_overdue")
    _age_assignment(p, "住建局", 29)  # within the 30 days of "proposals.co_opinion_days"
    jobs.check_late_co_opinions()  # (the demo world has late co-units of its own)
    assert not events.exists() and not reminders.exists()
    assert "会办意见逾期" not in client_for("staff").get(url).content.decode()

    _age_assignment(p, "住建局", 31)
    _age_assignment(p, "教育局", 31)  # the lead unit is not a co-unit: no reminder for it
    assert jobs.check_late_co_opinions()["co_opinion_overdue"] == 1
    note = reminders.get()
    assert note.url == url
    assert not Notification.objects.filter(
        user__username="handler1", title__startswith="会办意见已逾期", title__contains=p.title
    ).exists()
    ev = events.get()
    assert units["住建局"].name in ev.label
    for who in ("staff", "handler1", "handler2"):
        page = client_for(who).get(url).content.decode()
        assert page.count("会办意见逾期") >= 1 and "co-late" in page, who

    # once per assignment
    assert jobs.check_late_co_opinions()["co_opinion_overdue"] == 0
    assert reminders.count() == 1 and events.count() == 1

    # the opinion clears the badge
    services.assignment_co_opinion(user=user("handler2"), proposal=p, opinion="同意主办单位意见。")
    assert "co-late" not in client_for("staff").get(url).content.decode()


def test_co_opinion_days_is_a_setting_and_the_scheduled_job_runs_both_checks(proposal_in):
    p = proposal_in("assigned", co=["住建局"])
    org = p.organisation
    org.settings = {**(org.settings or {}), "proposals.co_opinion_days": 5}
    org.save()
    _age_assignment(p, "住建局", 6)
    ran = scheduler.run_due(now=timezone.now() + datetime.timedelta(days=3651))
    assert "proposals.deadlines" in ran
    assert Event.objects.filter(case_id=p.case_id, action="co_opinion_overdue").count() == 1
    assert Notification.objects.filter(
        user__username="handler2", title__startswith="会办意见已逾期", title__contains=p.title
    ).exists()
