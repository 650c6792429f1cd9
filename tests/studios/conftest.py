"""Fixtures for the studios app. The demo gives 青川县 five open studios (member1 in 城关镇委员工作室 and
教育界别委员工作室, on duty today at the first), services (member1 offers two) and bookings in every
state. `office` is the county's 办公室 (it manages studios and the rota)."""

import pytest
from django.core.cache import cache

from zhengxie.studios.models import ServiceOffer, Studio

BOOKING = {
    "name": "王女士",
    "phone": "13912345678",
    "preferred_time": "周六上午",
    "note": "想咨询劳动争议",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The rate limit counts in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def studio(user):
    return Studio.objects.filter(members=user("member1").member, active=True).order_by("pk").first()


@pytest.fixture
def offer(user):
    """member1's first active service, with room for new bookings."""
    o = ServiceOffer.objects.filter(member=user("member1").member, active=True).order_by("pk").first()
    o.capacity = 50
    o.save(update_fields=["capacity"])
    return o


@pytest.fixture
def other_county_office(db):
    """Staff of the 办公室 of 石门区 (another county)."""
    from zhengxie.core.models import Office, Organisation, Role, User

    org = User.objects.get(username="other").organisation
    u = User.objects.create_user(
        username="sm_office", password="x", name="石门办公室", organisation=org, office=Office.GENERAL
    )
    u.set_roles([Role.STAFF])
    assert Organisation.objects.filter(pk=org.pk).exists()
    return u
