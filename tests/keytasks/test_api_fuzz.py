"""schemathesis over the 重点工作 operations only (the whole API runs in tests/security/test_schemathesis.py):
no 5xx and nothing outside the document, for the office, the owner, a member and a leader."""

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("office", "staff", "member1", "leader")


def test_key_task_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(tokens, keep=lambda op: "/key-tasks" in op.path)
    assert count == 7
    assert not failures, "\n\n".join(failures)
