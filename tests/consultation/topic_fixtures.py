"""Fixtures of the 选题 and plan tests (tests/consultation/test_topics*.py, test_plan*.py).

`proposed(...)` leaves member1's 委员荐题 in 青川县 (demo-county) through the service; `call(...)` an open
TopicCall of 青川县 (staff "office", 办公室, runs both). The demo already has this year's plan (approved) and
an open call for next year's topics."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhengxie.consultation.services import topics as topic_services


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def proposed(db, user):
    def make(username="member1", **extra):
        data = {
            "title": "关于建设城区口袋公园的建议",
            "reason": "城区居民休闲空间不足，建议利用边角地建设口袋公园。",
            "source": "member",
            **extra,
        }
        return topic_services.propose(user=user(username), **data)

    return make


@pytest.fixture
def topic_call(db, user):
    def make(**extra):
        today = timezone.localdate()
        data = {
            "title": "明年协商议题征集",
            "opens_on": today - datetime.timedelta(days=1),
            "closes_on": today + datetime.timedelta(days=10),
            **extra,
        }
        return topic_services.open_call(user=user("office"), **data)

    return make
