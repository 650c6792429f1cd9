"""The generated page attack of tests/security/test_cross_access.py for the 民主评议 routes.

That module parametrizes its page families before it merges the side-by-side apps' tables
(tests/security/cross_appraisal.py), so the appraisal pages are attacked here with its own machinery:
石门区's users GET and POST every appraisal route with an id of 青川县 and get 403/404, nothing changed."""

import pytest

from tests.security.test_cross_access import PAGES, _attack_pages, attackers, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_appraisal_pages_refuse_foreign_objects(world, attackers):  # noqa: F811
    names = [n for n in PAGES if n.startswith("appraisal:")]
    assert len(names) == 13
    failures = _attack_pages(world, attackers, names)
    assert not failures, "\n".join(failures)
