"""Issue 14, finding 7 (三员分立): no administrator sets or sees another administrator's password."""

import pytest
from django.test import Client
from django.urls import reverse

from zhengxie.core.errors import Forbidden
from zhengxie.core.models import AuditEntry
from zhengxie.members import services

PASSWORD = "Demo@2026"


@pytest.mark.parametrize(
    "actor,target", [("secadmin", "auditor"), ("admin", "secadmin"), ("admin", "auditor")]
)
def test_an_administrator_cannot_reset_another_administrators_password(user, actor, target):
    t = user(target)
    with pytest.raises(Forbidden) as exc:
        services.user_reset_password(user=user(actor), target=t)
    assert "三员分立" in exc.value.message and "申请重置密码" in exc.value.message
    t.refresh_from_db()
    assert t.check_password(PASSWORD)
    assert AuditEntry.objects.filter(
        action="members.user_reset_password_refused", actor__username=actor, target_id=str(t.pk)
    ).exists()


def test_the_page_shows_no_password_and_the_auditor_keeps_theirs(client_for, user):
    auditor = user("auditor")
    r = client_for("secadmin").post(reverse("members:user_reset_password", args=[auditor.pk]), follow=True)
    body = r.content.decode()
    assert "三员分立" in body and "密码已重置" not in body
    # the auditor still logs in with their own password; nobody else learnt a new one
    c = Client()
    assert c.post(reverse("login"), {"username": "auditor", "password": PASSWORD}).status_code == 302


def test_ordinary_accounts_are_still_reset_by_the_security_administrator(user):
    password = services.user_reset_password(user=user("secadmin"), target=user("member2"))
    assert password and user("member2").check_password(password)
