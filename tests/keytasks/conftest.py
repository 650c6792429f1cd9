"""Fixtures for 重点工作: the demo county 青川县 (demo-county), whose 办公室 (user "office") keeps the list;
`make_task(...)` creates a task through the service (owner: the 提案委员会's "staff", leader "leader")."""

import datetime

import pytest
from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.keytasks import services


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_task(db, user, today):
    def make(**extra):
        data = {
            "year": today.year,
            "category": "测试类别",
            "title": "推进测试任务",
            "owner": user("staff"),
            "leader": user("leader"),
            "starts_on": today - datetime.timedelta(days=50),
            "due_on": today + datetime.timedelta(days=50),
            "milestones": [],
        }
        data.update(extra)
        return services.create(user("office"), **data)

    return make
