"""schemathesis over the whole /api/v1 (issue 14): every operation of the OpenAPI document, with the
tokens of four roles (staff, member1, handler1, leader), a fixed seed and a bounded number of examples
per operation: no server error (5xx) and no answer outside the document (status code, content type,
body schema). Runs in-process against the WSGI application, inside the test's transaction.

POST /api/v1/auth/logout is left out: it ends the caller's token, and the next role's calls would be
401 (its behaviour is pinned in tests/core)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ("staff", "member1", "handler1", "leader")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 3


@pytest.fixture
def api_schema(db, settings):
    settings.AXES_ENABLED = False  # random passwords for the demo users would lock them out
    # schemathesis calls the WSGI application itself: like Django's test Client, keep the request
    # signals from closing the test's database connection (PostgreSQL: it holds the test transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
            path="/api/v1/auth/logout"
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db):
    from zhengxie.core.models import ApiToken, User

    return {u: ApiToken.issue(User.objects.get(username=u)) for u in ROLES}


def _run(operation, tokens):
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

    run()


def test_api(api_schema, tokens):
    failures = []
    count = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        count += 1
        try:
            _run(operation, tokens)
        except (Exception, BaseExceptionGroup) as exc:  # every operation runs; failures reported together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert count > 100
    assert not failures, "\n\n".join(failures)
