"""schemathesis over operations of /api/v1, in-process against the WSGI application and inside the test's
transaction: with each role's token, a fixed seed and a bounded number of examples per operation, no
server error (5xx) and no answer outside the document (status code, content type, body schema).

`fuzz(tokens, keep=, examples=, seed_value=)` runs every operation that `keep(operation)` accepts and
returns (how many ran, the failures as text); every operation runs, the failures are reported together.
The caller turns django-axes off (random passwords would lock the demo users out)."""

from contextlib import contextmanager

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

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def wsgi_schema():
    # schemathesis calls the WSGI application itself: like Django's test Client, keep the request
    # signals from closing the test's database connection (PostgreSQL: it holds the test transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
            path="/api/v1/auth/logout"  # it ends the caller's token: the next role's calls would be 401
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(operation, tokens: dict, examples: int, seed_value: int) -> None:
    @seed(seed_value)
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        for token in tokens.values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def fuzz(tokens: dict, *, keep=lambda operation: True, examples: int = 3, seed_value: int = 20260314):
    failures, count = [], 0
    with wsgi_schema() as schema:
        for result in schema.get_all_operations():
            operation = result.ok()
            if not keep(operation):
                continue
            count += 1
            try:
                _run(operation, tokens, examples, seed_value)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    return count, failures
