"""Traffic lights (红黄绿), working days, and the daily job that notifies handlers and unit heads."""

import datetime

import pytest
from django.utils import timezone

from zhengxie.core import scheduler
from zhengxie.core.calendar import add_workdays, is_workday, workdays_between
from zhengxie.core.models import Notification
from zhengxie.handling import jobs as spine_jobs
from zhengxie.proposals import reporting, services
from zhengxie.proposals.lights import light_of
from zhengxie.proposals.models import Assignment, Contact, Event, Proposal

TODAY = datetime.date(2026, 11, 25)  # a Wednesday


def test_working_days():
    fri = datetime.date(2026, 11, 27)
    assert add_workdays(fri, 1) == datetime.date(2026, 11, 30)
    assert add_workdays(TODAY, 5) == datetime.date(2026, 12, 2)
    assert add_workdays(TODAY, -3) == datetime.date(2026, 11, 20)
    assert workdays_between(fri, datetime.date(2026, 11, 30)) == 1
    assert workdays_between(TODAY, TODAY) == 0
    assert not is_workday(datetime.date(2026, 11, 28))


def test_holidays_and_extra_workdays_are_settings(user):
    org = user("staff").organisation
    org.settings = {
        "calendar.holidays": ["2026-10-01", "2026-10-02", "bad"],
        "calendar.extra_workdays": ["2026-10-10"],
    }
    org.save()
    assert not is_workday(datetime.date(2026, 10, 1), org)
    assert is_workday(datetime.date(2026, 10, 10), org)  # a Saturday made a working day (调休)
    assert add_workdays(datetime.date(2026, 9, 30), 1, org) == datetime.date(2026, 10, 5)


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


# status, working days since assignment, acknowledged, contacted, days to deadline, expected light
TABLE = [
    ("assigned", 1, False, False, 80, "green"),
    ("assigned", 5, False, False, 80, "green"),
    ("assigned", 6, False, False, 80, "yellow"),  # not acknowledged after 5 working days
    ("handling", 10, True, False, 80, "green"),
    ("handling", 15, True, False, 80, "green"),
    ("handling", 16, True, False, 80, "yellow"),  # no contact after 15 working days
    ("handling", 40, True, True, 80, "green"),
    ("handling", 40, True, True, 16, "green"),
    ("handling", 40, True, True, 15, "yellow"),  # deadline within 15 days
    ("handling", 40, True, True, 0, "yellow"),  # due today
    ("handling", 40, True, True, -1, "red"),  # overdue
    ("rehandling", 60, True, False, 20, "green"),  # nodes are for the first round only
    ("rehandling", 60, True, True, -2, "red"),
    ("replied", 40, True, True, -5, None),
    ("closed", 40, True, True, -5, None),
]


@pytest.mark.parametrize("status,since,acked,contacted,due,expected", TABLE)
def test_light_table(proposal_in, status, since, acked, contacted, due, expected):
    p = proposal_in("assigned")
    assigned = add_workdays(TODAY, -since)
    a = Assignment.objects.get(case_id=p.case_id, role="lead")
    Assignment.objects.filter(pk=a.pk).update(
        assigned_at=_at(assigned), acknowledged_at=_at(assigned) if acked else None
    )
    if contacted:
        Contact.objects.create(
            assignment=a, contacted_on=assigned, method="phone", summary="电话沟通", recorded_by=a.assigned_by
        )
    Proposal.objects.filter(pk=p.pk).update(status=status, deadline=TODAY + datetime.timedelta(days=due))
    reporting.sync([p.pk])
    assert (light_of(p.pk, TODAY) or None) == expected


def test_yellow_days_is_a_setting(proposal_in):
    p = proposal_in("handling")
    org = p.organisation
    org.settings = {"proposals.yellow_days": 100}
    org.save()
    p = Proposal.objects.select_related("organisation").get(pk=p.pk)
    reporting.sync([p.pk])
    assert light_of(p, timezone.localdate()) == "yellow"


def test_daily_job_notifies_yellow_to_handlers_and_red_also_to_unit_heads(user, proposal_in):
    red = proposal_in("handling")
    yellow = proposal_in("handling", author="member2")
    today = timezone.localdate()
    Proposal.objects.filter(pk=red.pk).update(deadline=today - datetime.timedelta(days=1))
    reporting.sync([red.pk])
    Proposal.objects.filter(pk=yellow.pk).update(deadline=today + datetime.timedelta(days=3))
    reporting.sync([yellow.pk])
    result = spine_jobs.check_lights()
    assert result["changed"] >= 2
    assert Proposal.objects.get(pk=red.pk).light == "red"
    assert Proposal.objects.get(pk=yellow.pk).light == "yellow"
    h1 = Notification.objects.filter(user__username="handler1")
    head = Notification.objects.filter(user__username="unithead1")
    assert h1.filter(title__startswith="【红灯】", title__contains=red.title).exists()
    assert h1.filter(title__startswith="【黄灯】").exists()
    assert head.filter(title__startswith="【红灯】").exists()
    assert not head.filter(title__startswith="【黄灯】").exists()
    assert Event.objects.filter(case_id=red.case_id, action="light", label="督办灯变为红灯").exists()
    # running again changes nothing and sends nothing new
    before = Notification.objects.count()
    assert spine_jobs.check_lights()["changed"] == 0
    assert Notification.objects.count() == before


def test_job_is_registered_with_the_scheduler(proposal_in):
    p = proposal_in("handling")
    Proposal.objects.filter(pk=p.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=2))
    reporting.sync([p.pk])
    assert "handling.lights" in scheduler.JOBS
    # a period of its own (force=True makes a period key too long for PostgreSQL's varchar(20))
    ran = scheduler.run_due(now=timezone.now() + datetime.timedelta(days=3650))
    assert "handling.lights" in ran
    assert Proposal.objects.get(pk=p.pk).light == "red"


def test_services_keep_the_light_current(user, proposal_in):
    p = proposal_in("handling")
    assert p.light == "green"
    Proposal.objects.filter(pk=p.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=5))
    reporting.sync([p.pk])
    services.proposal_extend(
        user=user("staff"),
        proposal=p,
        new_deadline=timezone.localdate() + datetime.timedelta(days=60),
        reason="协调",
    )
    assert p.light == "green"
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已解决。")
    assert p.light == ""


def test_demo_has_every_light_for_the_two_named_units(db):
    for unit in ("教育局", "住建局"):
        lights = set(
            Proposal.objects.filter(
                case__assignments__unit__short_name=unit, case__assignments__is_active=True
            ).values_list("light", flat=True)
        )
        assert {"green", "yellow", "red"} <= lights, unit


def test_easing_from_red_to_yellow_sends_no_alarm_and_the_task_runs_the_job(user, proposal_in):
    from zhengxie.proposals.tasks import refresh_lights_task

    p = proposal_in("handling")
    today = timezone.localdate()
    Proposal.objects.filter(pk=p.pk).update(deadline=today - datetime.timedelta(days=1))
    reporting.sync([p.pk])
    refresh_lights_task.enqueue()
    assert Proposal.objects.get(pk=p.pk).light == "red"
    Proposal.objects.filter(pk=p.pk).update(deadline=today + datetime.timedelta(days=5))
    reporting.sync([p.pk])
    before = Notification.objects.filter(user__username="handler1").count()
    spine_jobs.check_lights()
    assert Proposal.objects.get(pk=p.pk).light == "yellow"
    assert Notification.objects.filter(user__username="handler1").count() == before
