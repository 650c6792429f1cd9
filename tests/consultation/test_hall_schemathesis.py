"""schemathesis over the online hall's operations only (the whole API is tests/security/test_schemathesis.py):
no 5xx and no answer outside the document, with the tokens of staff, office, member1, handler1 and other."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.security.test_schemathesis import CHECKS, EXAMPLES  # noqa: F401

pytestmark = pytest.mark.django_db
ROLES = ("staff", "office", "member1", "handler1", "other")


@pytest.fixture
def hall_schema(db, settings):
    settings.AXES_ENABLED = False
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).include(
            path_regex=r"(consultation-comments/|/comments$|/hall$)"
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_hall_operations(hall_schema):
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from zhengxie.core.models import ApiToken, User

    tokens = {u: ApiToken.issue(User.objects.get(username=u)) for u in ROLES}
    failures, count = [], 0
    for result in hall_schema.get_all_operations():
        operation = result.ok()
        count += 1

        @seed(20260314)
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            for role in ROLES:
                case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert count == 7
    assert not failures, "\n\n".join(failures)
