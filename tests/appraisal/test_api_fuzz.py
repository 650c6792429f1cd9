"""schemathesis over the 民主评议 operations only (the whole API runs in tests/security/test_schemathesis.py):
no 5xx and nothing outside the document, for the office, a rater, another member and a leader."""

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("office", "member1", "member2", "leader")


def test_appraisal_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(tokens, keep=lambda op: "/appraisal" in op.path)
    assert count == 18
    assert not failures, "\n\n".join(failures)
