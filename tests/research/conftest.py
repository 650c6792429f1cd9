"""Fixtures for 视察调研: the demo county 青川县 (demo-county), whose 办公室 (user "office") manages topics;
`make_topic(...)` creates one through the service (leader "leader", members member1 and member2)."""

import datetime

import pytest
from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.members.models import Member
from zhengxie.research import services


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def member(db):
    def get(username):
        return Member.objects.get(user__username=username)

    return get


@pytest.fixture
def make_topic(db, user, member, today):
    def make(status="planned", **extra):
        data = {
            "title": "测试调研课题",
            "kind": "research",
            "year": today.year,
            "leader": user("leader"),
            "member_ids": [member("member1").pk, member("member2").pk],
            "starts_on": today - datetime.timedelta(days=10),
            "ends_on": today + datetime.timedelta(days=20),
        }
        data.update(extra)
        t = services.create(user("office"), **data)
        if status in ("in_progress", "reported"):
            services.set_status(user("office"), t, "in_progress")
        if status == "reported":
            services.submit_report(
                user("office"),
                t,
                generate=True,
                writer_ids=[member("member1").pk],
                recommendations=["建议甲", "建议乙"],
            )
        t.refresh_from_db()
        return t

    return make
