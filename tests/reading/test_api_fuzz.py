"""schemathesis over the 书香政协 and 年度工作数据 operations (the whole API runs in
tests/security/test_schemathesis.py): no 5xx and nothing outside the document, for staff, a member, a leader
and a city user."""

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("office", "member1", "leader", "citystaff")


def test_reading_and_yearbook_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(
        tokens, keep=lambda op: op.path.startswith(("/api/v1/reading", "/api/v1/yearbook"))
    )
    assert count == 6
    assert not failures, "\n\n".join(failures)
