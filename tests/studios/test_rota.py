"""The 线上值班 rota: the office plans a month; days done (by the member, the office or the daily job) are
DutyRecords exactly once; an absence voids one; leave is asked and decided."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden
from zhengxie.core.navigation import todos_for
from zhengxie.performance import acts as A
from zhengxie.performance.models import DutyRecord
from zhengxie.studios import services
from zhengxie.studios.models import DutySlot, Studio
from zhengxie.studios.selectors import duty_members

TODAY = timezone.localdate()


def _records(slot):
    return DutyRecord.objects.filter(act=A.STUDIO_DUTY, source_id=str(slot.pk), voided=False)


def _next_month():
    d = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return d.year, d.month


def test_office_plans_a_month_through_the_page_and_members_are_told(client_for, user, studio):
    y, m = _next_month()
    m1, m2 = studio.members.order_by("pk")[:2]
    day1, day2 = datetime.date(y, m, 3), datetime.date(y, m, 4)
    c = client_for("office")
    url = reverse("studios:rota", args=[studio.pk]) + f"?month={y}-{m:02d}"
    r = c.post(url, {"month": f"{y}-{m:02d}", f"d-{day1}": [m1.pk, m2.pk], f"d-{day2}": [m2.pk]})
    assert r.status_code == 302
    assert set(
        DutySlot.objects.filter(studio=studio, day__in=[day1, day2]).values_list("day", "member_id")
    ) == {
        (day1, m1.pk),
        (day1, m2.pk),
        (day2, m2.pk),
    }
    # Days not sent are cleared (the whole month is the form); the demo's planned days there are gone.
    assert (
        not DutySlot.objects.filter(studio=studio, day__year=y, day__month=m)
        .exclude(day__in=[day1, day2])
        .exists()
    )
    assert m1.user.notifications.filter(title__contains="线上值班安排").exists()
    page = c.get(url)
    assert page.status_code == 200 and "保存排班" in page.content.decode()
    assert sorted(x.pk for x in duty_members(studio, day1)) == sorted([m1.pk, m2.pk])


def test_a_member_reads_the_rota_but_may_not_plan_it(client_for, user, studio):
    y, m = _next_month()
    c = client_for("member1")
    url = reverse("studios:rota", args=[studio.pk])
    assert c.get(url).status_code == 200
    assert c.post(url, {"month": f"{y}-{m:02d}"}).status_code == 404
    with pytest.raises(Forbidden):
        services.rota_plan(user=user("member1"), studio=studio, year=y, month=m, plan={})


def test_planning_refuses_members_of_other_studios(user, studio):
    y, m = _next_month()
    outsider = user("member3").member
    if studio.members.filter(pk=outsider.pk).exists():
        studio.members.remove(outsider)
    from zhengxie.core.errors import Invalid

    with pytest.raises(Invalid) as e:
        services.rota_plan(
            user=user("office"), studio=studio, year=y, month=m, plan={f"{y}-{m:02d}-05": [outsider.pk]}
        )
    assert e.value.field == "plan"


def test_fill_takes_turns_on_empty_weekdays(user, studio):
    y, m = _next_month()
    DutySlot.objects.filter(studio=studio, day__year=y, day__month=m).delete()
    res = services.rota_fill(user=user("office"), studio=studio, year=y, month=m)
    days = list(
        DutySlot.objects.filter(studio=studio, day__year=y, day__month=m).values_list("day", flat=True)
    )
    assert res["added"] == len(days) > 15
    assert all(d.weekday() < 5 for d in days) and len(set(days)) == len(days)


def test_member_marks_today_done_once_and_it_becomes_one_duty_record(user, studio, client_for):
    slot = DutySlot.objects.get(studio=studio, member=user("member1").member, day=TODAY)
    c = client_for("member1")
    for _ in range(2):
        assert c.post(reverse("studios:duty_action", args=[slot.pk, "done"])).status_code == 302
    slot.refresh_from_db()
    assert slot.status == DutySlot.Status.DONE
    assert _records(slot).count() == 1
    rec = _records(slot).get()
    assert rec.member_id == slot.member_id and rec.occurred_on == TODAY and rec.points > 0


def test_a_coming_day_cannot_be_marked_done(user, studio):
    slot = DutySlot.objects.filter(member=user("member1").member, day__gt=TODAY, status="planned").first()
    with pytest.raises(Conflict):
        services.duty_done(user=user("member1"), slot=slot)


def test_daily_job_credits_passed_days_once_and_an_absence_voids_it(user, studio):
    member = user("member2").member
    s2 = Studio.objects.filter(members=member).first()
    day = TODAY - datetime.timedelta(days=1)
    DutySlot.objects.filter(studio=s2, day=day).delete()
    slot = DutySlot.objects.create(organisation=s2.organisation, studio=s2, member=member, day=day)
    assert services.close_past_duties() >= 1
    assert services.close_past_duties() == 0  # idempotent
    slot.refresh_from_db()
    assert slot.status == DutySlot.Status.DONE and _records(slot).count() == 1
    services.duty_absent(user=user("office"), slot=slot, reason="当天未上线")
    slot.refresh_from_db()
    assert slot.status == DutySlot.Status.ABSENT and _records(slot).count() == 0
    assert DutyRecord.objects.filter(act=A.STUDIO_DUTY, source_id=str(slot.pk), voided=True).count() == 1
    assert services.close_past_duties() == 0


def test_leave_is_asked_by_the_member_and_decided_by_the_office(user, studio, client_for):
    m1 = user("member1")
    slot = DutySlot.objects.filter(member=m1.member, day__gt=TODAY, status="planned").order_by("day").first()
    c = client_for("member1")
    r = c.post(reverse("studios:duty_action", args=[slot.pk, "leave"]), {"reason": "外出开会"})
    assert r.status_code == 302
    slot.refresh_from_db()
    assert slot.status == DutySlot.Status.LEAVE_ASKED
    office = user("office")
    todo = {t["label"]: t["count"] for t in todos_for(office)}
    assert todo["待审批的值班请假"] >= 1
    assert office.notifications.filter(title__contains="请假").exists()
    services.duty_decide_leave(user=office, slot=slot, approve=True)
    slot.refresh_from_db()
    assert slot.status == DutySlot.Status.LEAVE
    assert m1.member.pk not in [x.pk for x in duty_members(slot.studio_id, slot.day)]
    assert m1.notifications.filter(title__contains="请假已批准").exists()


def test_rota_page_queries_stay_constant(client_for, studio, django_assert_max_num_queries):
    c = client_for("office")
    url = reverse("studios:rota", args=[studio.pk])
    c.get(url)
    with django_assert_max_num_queries(14):
        assert c.get(url).status_code == 200
