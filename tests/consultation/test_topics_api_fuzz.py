"""schemathesis over the 选题, 议题征集 and 年度协商计划 operations alone (the whole API is
tests/security/test_schemathesis.py) with more examples, with the tokens of the office, a member, a
handler and a leader: no server error and no answer outside the document."""

import pytest

from tests.apifuzz import fuzz

ROLES = ("office", "member1", "handler1", "leader")
PATHS = ("/consultation-topics", "/consultation-topic-calls", "/consultation-plans")

pytestmark = pytest.mark.django_db


def test_topic_and_plan_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(
        tokens, keep=lambda op: any(p in op.path for p in PATHS), examples=5, seed_value=20261203
    )
    assert count == 12
    assert not failures, "\n\n".join(failures)
