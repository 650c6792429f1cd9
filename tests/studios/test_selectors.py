"""duty_members: who is on 线上值班 at a studio on a day (the suggestions app asks it)."""

import datetime

from zhengxie.studios.models import DutySlot, Studio
from zhengxie.studios.selectors import duty_members


def test_duty_members_are_the_members_on_the_rota_that_day(user, django_assert_max_num_queries):
    m1, m2, m3 = (user(u).member for u in ("member1", "member2", "member3"))
    org = m1.organisation
    studio = Studio.objects.create(organisation=org, name="测试委员工作室（值班）")
    day = datetime.date(2026, 5, 4)
    DutySlot.objects.create(organisation=org, studio=studio, member=m2, day=day)
    DutySlot.objects.create(organisation=org, studio=studio, member=m1, day=day, status=DutySlot.Status.DONE)
    DutySlot.objects.create(organisation=org, studio=studio, member=m3, day=day, status=DutySlot.Status.LEAVE)
    DutySlot.objects.create(organisation=org, studio=studio, member=m3, day=day + datetime.timedelta(days=1))

    with django_assert_max_num_queries(1):
        on_duty = duty_members(studio, day)
    assert sorted(m.pk for m in on_duty) == sorted([m1.pk, m2.pk])  # the one on leave is not on duty
    assert duty_members(studio.pk, day + datetime.timedelta(days=1)) == [m3]
    assert duty_members(studio, day - datetime.timedelta(days=1)) == []
