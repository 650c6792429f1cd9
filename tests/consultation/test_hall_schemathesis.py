"""schemathesis over the online hall's operations only (the whole API is tests/security/test_schemathesis.py):
no 5xx and no answer outside the document, with the tokens of staff, office, member1, handler1 and other."""

import re

import pytest

from tests.apifuzz import fuzz

pytestmark = pytest.mark.django_db
ROLES = ("staff", "office", "member1", "handler1", "other")
HALL = re.compile(r"(consultation-comments/|/comments$|/hall$)")


def test_hall_operations(settings, user):
    from zhengxie.core.models import ApiToken

    settings.AXES_ENABLED = False
    tokens = {u: ApiToken.issue(user(u)) for u in ROLES}
    count, failures = fuzz(tokens, keep=lambda op: bool(HALL.search(op.path)))
    assert count == 7
    assert not failures, "\n\n".join(failures)
