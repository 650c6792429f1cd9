"""The page half of the generated cross-access attack for 视察调研.

tests/security/test_cross_access.py merges tests/security/cross_research.py into PAGES, but its page test
is parametrized by family before that merge, so the pages of apps built side by side are not attacked
there (their API operations are). Until that is fixed there, the same attack runs here on the research
pages: 石门区's users and members who do not take part get 403/404 and nothing changes."""

import pytest

from tests.security.test_cross_access import PAGES, _attack_pages, attackers, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_research_pages_refuse_foreign_objects(world, attackers):  # noqa: F811
    names = [n for n in PAGES if n.startswith("research:")]
    assert len(names) == 9
    failures = _attack_pages(world, attackers, names)
    assert not failures, "\n".join(failures)
