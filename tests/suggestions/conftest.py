"""Fixtures for 微建议: `submitted(...)` leaves a citizen's suggestion in 青川县 (demo-county) through the
service, as the public page does; the office (user "office", 办公室) moderates and routes; handler1 answers
for 县教育局. Each test clears the cache so the rate limit starts afresh."""

import pytest
from django.core.cache import cache

from zhengxie.core.models import HandlingUnit, Organisation
from zhengxie.suggestions import services

TEXT = {
    "title": "学校门口早高峰拥堵",
    "content": "城关小学门口早上七点半车辆拥堵，建议错峰放学并增设护学岗。",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def education(db, user):
    return user("handler1").handling_unit


@pytest.fixture
def submitted(db, county):
    def make(**extra):
        organisation = extra.pop("organisation", county)
        return services.submit(
            organisation=organisation, **{**TEXT, "consent": True, "ip": "10.0.0.1", **extra}
        )

    return make


@pytest.fixture
def routed(submitted, user, education):
    """A suggestion routed to 县教育局 (handler1's unit)."""

    def make(**extra):
        s = submitted(**extra)
        return services.route(user=user("office"), suggestion=s, unit=education)

    return make


__all__ = ["HandlingUnit"]
