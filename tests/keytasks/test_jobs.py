"""The daily check: a task falling behind its 序时进度 turns yellow, then red, and its owner and leader are
told once per change (not every day); milestones past their date make a task yellow."""

import datetime

import pytest

from zhengxie.core.models import Notification
from zhengxie.core.scheduler import JOBS
from zhengxie.keytasks import jobs, progress  # noqa: F401  (jobs registers the job)
from zhengxie.keytasks.models import KeyTask

pytestmark = pytest.mark.django_db


def _notes(u, t):
    return Notification.objects.filter(
        user=u, url=f"/keytasks/{t.pk}/", title__startswith="重点工作亮"
    ).count()


def test_lagging_task_turns_red_and_notifies_once(user, make_task, today):
    assert "keytasks.lights" in JOBS
    t = make_task(starts_on=today, due_on=today + datetime.timedelta(days=100))
    assert t.light == "green"
    staff, leader = user("staff"), user("leader")
    # 15 days on: 15 % expected, 0 done: yellow (more than 10 points behind); both told once.
    jobs.refresh_lights(today + datetime.timedelta(days=15))
    t.refresh_from_db()
    assert t.light == "yellow" and _notes(staff, t) == 1 and _notes(leader, t) == 1
    jobs.refresh_lights(today + datetime.timedelta(days=16))
    assert _notes(staff, t) == 1
    # 30 days on: 30 % expected: red, told again; not the next day.
    jobs.refresh_lights(today + datetime.timedelta(days=30))
    t.refresh_from_db()
    assert t.light == "red" and _notes(staff, t) == 2 and _notes(leader, t) == 2
    jobs.refresh_lights(today + datetime.timedelta(days=31))
    assert _notes(staff, t) == 2
    # Past the due day and not done: red whatever the percent.
    KeyTask.objects.filter(pk=t.pk).update(percent=99)
    jobs.refresh_lights(today + datetime.timedelta(days=101))
    t.refresh_from_db()
    assert t.light == "red" and _notes(staff, t) == 2


def test_overdue_milestone_makes_it_yellow(make_task, today):
    t = make_task(
        starts_on=today,
        due_on=today + datetime.timedelta(days=100),
        milestones=[{"title": "方案", "due_on": today + datetime.timedelta(days=3)}],
    )
    jobs.refresh_lights(today + datetime.timedelta(days=4))
    t.refresh_from_db()
    assert t.light == "yellow"


def test_expected_percent_and_light_rules(today):
    d = datetime.date
    assert progress.expected_percent(d(2026, 1, 1), d(2026, 12, 31), d(2025, 6, 1)) == 0
    assert progress.expected_percent(d(2026, 1, 1), d(2026, 1, 11), d(2026, 1, 6)) == 50
    assert progress.expected_percent(d(2026, 1, 1), d(2026, 12, 31), d(2027, 1, 1)) == 100
    kw = {"starts_on": d(2026, 1, 1), "due_on": d(2026, 1, 11), "today": d(2026, 1, 6), "done": False}
    assert progress.light(percent=40, **kw) == "green"
    assert progress.light(percent=39, **kw) == "yellow"
    assert progress.light(percent=24, **kw) == "red"
    assert progress.light(percent=50, overdue_milestones=1, **kw) == "yellow"
    assert progress.light(percent=0, **{**kw, "done": True}) == "green"
    assert progress.light(percent=40, yellow_gap=5, **kw) == "yellow"


def test_the_gaps_are_organisation_settings(county, make_task, today):
    county.settings = {**(county.settings or {}), "keytasks.yellow_gap": 30, "keytasks.red_gap": 60}
    county.save(update_fields=["settings"])
    t = make_task(starts_on=today, due_on=today + datetime.timedelta(days=100))
    jobs.refresh_lights(today + datetime.timedelta(days=25))  # 25 points behind: within 30
    t.refresh_from_db()
    assert t.light == "green"
    jobs.refresh_lights(today + datetime.timedelta(days=40))
    t.refresh_from_db()
    assert t.light == "yellow"
