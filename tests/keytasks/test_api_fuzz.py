"""schemathesis over the 重点工作 operations only (the whole API runs in tests/security/test_schemathesis.py):
no 5xx and nothing outside the document, for the office, the owner, a member and a leader."""

import pytest

from tests.security import test_schemathesis as st


@pytest.fixture
def api_schema(db, settings):
    yield from st.api_schema.__wrapped__(db, settings)


@pytest.fixture
def tokens(db):
    from zhengxie.core.models import ApiToken, User

    return {u: ApiToken.issue(User.objects.get(username=u)) for u in ("office", "staff", "member1", "leader")}


def test_key_task_operations(api_schema, tokens, monkeypatch):
    monkeypatch.setattr(st, "ROLES", tuple(tokens))
    failures = []
    ops = 0
    for result in api_schema.include(path_regex="/key-tasks").get_all_operations():
        operation = result.ok()
        ops += 1
        try:
            st._run(operation, tokens)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert ops == 7
    assert not failures, "\n\n".join(failures)
