"""schemathesis over the 视察调研 operations only (the whole API runs in tests/security/test_schemathesis.py):
no 5xx and nothing outside the document, for the office, a participant, a member who is not one, a leader
and a unit handler."""

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("office", "member1", "member3", "leader", "handler1")


def test_research_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(tokens, keep=lambda op: "/research-" in op.path)
    assert count == 12
    assert not failures, "\n\n".join(failures)
