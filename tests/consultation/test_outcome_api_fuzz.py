"""schemathesis over the 协商成果 operations alone (the whole API is tests/security/test_schemathesis.py)
with more examples and a sent outcome in place, with the tokens of the office, a standing member, a handler
and a leader: no server error and no answer outside the document."""

import pytest

from tests.apifuzz import fuzz

ROLES = ("office", "member3", "handler1", "leader")

pytestmark = pytest.mark.django_db


def test_outcome_operations(settings, sent, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    sent()
    count, failures = fuzz(
        tokens,
        keep=lambda op: ("outcome" in op.path or "recommendation" in op.path) and "research" not in op.path,
        examples=5,
        seed_value=20261203,
    )
    assert count == 10
    assert not failures, "\n\n".join(failures)
