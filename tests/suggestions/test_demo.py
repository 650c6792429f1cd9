"""The demo: suggestions in every state, some routed to 县教育局 (handler1's inbox), some published."""

import pytest
from django.test import Client

from zhengxie.handling.models import Assignment
from zhengxie.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_and_units_inbox(client_for, user):
    states = set(Suggestion.objects.values_list("status", flat=True))
    assert states >= {"received", "rejected", "accepted", "routed", "replied", "closed"}
    unit = user("handler1").handling_unit
    assert Assignment.objects.filter(kind="public_suggestion", unit=unit, owes=True).exists()
    html = client_for("handler1").get("/handling/?kind=public_suggestion").content.decode()
    assert "微建议" in html
    assert Suggestion.objects.filter(published=True).exists()
    assert "已答复的建议" in Client().get("/p/demo-county/answers/").content.decode()
