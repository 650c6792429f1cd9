"""The demo loader's own public submissions are not an address's: CI failed when a second demo load within
the hour (one Redis, kept between runs) was refused by the first load's count ('每小时最多提交10条微建议')."""

import io
import types

import pytest
from django.core.cache import cache
from django.core.management import call_command

from zhengxie.core import ratelimit
from zhengxie.core.management.commands import loaddemo
from zhengxie.core.models import Organisation


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the counters of earlier tests in this process


def _submit(org):
    ratelimit.throttle(None, org, scope="suggestions.submit", message="每小时最多提交{limit}条")


@pytest.mark.django_db
def test_outside_exempt_the_eleventh_submission_is_refused_and_inside_nothing_is_counted():
    org = Organisation.objects.get(code="demo-county")
    with ratelimit.exempt():
        for _ in range(25):
            _submit(org)  # none refused
        assert ratelimit.hit("10.0.0.1", "drafting.check") == 0
    for _ in range(10):  # the exempt calls left the address's count at zero
        _submit(org)
    with pytest.raises(ratelimit.RateLimited, match="每小时最多提交10条"):
        _submit(org)


@pytest.mark.django_db
def test_the_demo_loader_submits_exempt_even_when_the_hour_is_full(monkeypatch):
    # An earlier load's submissions already filled the hour's count for the loader's (absent) address.
    org = Organisation.objects.get(code="demo-county")
    for _ in range(10):
        _submit(org)
    Organisation.objects.filter(code="demo-city").update(code="demo-city-old")  # as on a fresh database
    # Each app's demo module stands in for one that submits a public 微建议, as suggestions.demo does.
    submitted = []
    fake = types.SimpleNamespace(load=lambda ctx: submitted.append(_submit(org)))
    monkeypatch.setattr(loaddemo.importlib, "import_module", lambda name: fake)
    call_command("loaddemo", members=5, stdout=io.StringIO())
    assert len(submitted) == len(loaddemo.DEMO_APPS)
    with pytest.raises(ratelimit.RateLimited):  # the public's limit is still there afterwards
        _submit(org)
