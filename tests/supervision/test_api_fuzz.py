"""schemathesis over the 民主监督 operations only (the whole API runs in tests/security/test_schemathesis.py):
no 5xx and nothing outside the document, for the office, a group member, a standing member, a unit handler
and a leader."""

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("office", "member1", "member3", "handler1", "leader")


def test_supervision_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(tokens, keep=lambda op: "/supervision" in op.path)
    assert count == 18
    assert not failures, "\n\n".join(failures)
