"""schemathesis over the 选题, 议题征集 and 年度协商计划 operations alone (the whole API is
tests/security/test_schemathesis.py): no server error and no answer outside the document, with the tokens
of the office, a member, a handler and a leader."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ("office", "member1", "handler1", "leader")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PATHS = ("/consultation-topics", "/consultation-topic-calls", "/consultation-plans")

pytestmark = pytest.mark.django_db


def test_topic_and_plan_operations(settings, user):  # settings: pytest-django's
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    failures = []
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        count = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            if not any(p in operation.path for p in PATHS):
                continue
            count += 1

            @seed(20261203)
            @hsettings(
                max_examples=5,
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
        assert count == 12
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert not failures, "\n\n".join(failures)
