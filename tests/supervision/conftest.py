"""Fixtures for 民主监督: the demo county 青川县 (its 办公室 is user "office"), its units 县教育局 (handler1)
and 县住建局 (handler2); `make_group(...)` forms a group through the service (leader member2, members
member1 and one more member, staff contact office) on a unit with no demo group."""

# ruff: noqa: F811 (county and today are the keytasks fixtures, used as fixtures here)
import pytest

from tests.keytasks.conftest import county, today  # noqa: F401 (the same demo county and day)
from zhengxie.core.models import HandlingUnit
from zhengxie.members.models import Member
from zhengxie.supervision import services


@pytest.fixture
def unit(county):
    return HandlingUnit.objects.get(organisation=county, short_name="卫健局")


@pytest.fixture
def member(db):
    def get(username):
        return Member.objects.get(user__username=username)

    return get


@pytest.fixture
def make_group(db, user, member, unit, today, county):
    def make(**extra):
        other = (
            Member.objects.filter(organisation=county)
            .exclude(user__username__in=["member1", "member2", "member3"])
            .order_by("-id")
            .first()
        )
        data = {
            "year": today.year,
            "unit": unit,
            "leader": member("member2"),
            "members": [member("member1").pk, other.pk],
            "staff_contact": user("office"),
        }
        data.update(extra)
        return services.create(user("office"), **data)

    return make
