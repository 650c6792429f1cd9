"""Issue 14, finding 7 (三员分立): an administrator's phone and e-mail are where a forgotten password goes
(忘记密码 sends its code there, the two-person reset its new password). The system administrator changed
the security administrator's phone to their own and took the account through 忘记密码; now no other
administrator changes them, only the account itself in 账号安全 (with its password)."""

import pytest
from django.test import Client
from django.urls import reverse

from zhengxie.core.errors import Forbidden
from zhengxie.core.models import AuditEntry
from zhengxie.core.sms import LoggingSMSBackend
from zhengxie.members import services
from zhengxie.members.models import AdminPasswordReset


@pytest.mark.parametrize(("actor", "target"), [("admin", "secadmin"), ("admin", "auditor")])
def test_no_administrator_changes_another_administrators_phone_or_email(user, actor, target):
    account = user(target)
    form = {
        "name": account.name,
        "organisation": account.organisation,
        "office": account.office,
        "title": account.title,
        "is_active": True,
    }
    for change in ({"phone": "13800009999"}, {"email": "attacker@example.com"}):
        with pytest.raises(Forbidden):
            services.user_update(user=user(actor), target=account, data={**form, **change})
    account.refresh_from_db()
    assert not account.phone and account.email != "attacker@example.com"
    assert AuditEntry.objects.filter(action="members.user_update_refused", target_id=str(account.pk)).exists()
    # other details are still the system administrator's to change
    services.user_update(user=user(actor), target=account, data={**form, "title": "科员"})
    account.refresh_from_db()
    assert account.title == "科员"


def test_the_takeover_through_forgot_password_no_longer_works(user, client_for):
    secadmin = user("secadmin")
    r = client_for("admin").post(
        reverse("members:user_edit", args=[secadmin.pk]),
        {
            "name": secadmin.name,
            "phone": "13800009999",
            "organisation": secadmin.organisation_id,
            "roles": ["secadmin"],
        },
    )
    assert r.status_code in (200, 302, 403)
    secadmin.refresh_from_db()
    assert secadmin.phone != "13800009999"
    LoggingSMSBackend.sent.clear()
    Client().post(reverse("password_forgot"), {"phone": "13800009999"})
    assert LoggingSMSBackend.sent == []


def test_an_administrator_sets_their_own_contact_in_account_security(user, client_for):
    c = client_for("auditor")
    page = c.get(reverse("account_security")).content.decode()
    assert 'id="contact"' in page
    r = c.post(
        reverse("account_contact"),
        {"contact-phone": "13800001234", "contact-email": "shen@example.com", "contact-password": "wrong"},
    )
    assert r.status_code == 422 and "密码不正确" in r.content.decode() and "13800001234" in r.content.decode()
    r = c.post(
        reverse("account_contact"),
        {
            "contact-phone": "13800001234",
            "contact-email": "shen@example.com",
            "contact-password": "Demo@2026",
        },
    )
    assert r.status_code == 302
    auditor = user("auditor")
    auditor.refresh_from_db()
    assert (auditor.phone, auditor.email) == ("13800001234", "shen@example.com")
    assert AuditEntry.objects.filter(action="members.own_contact_update", actor=auditor).exists()
    # now the two-person reset has somewhere to send the password
    client_for("secadmin").post(reverse("members:user_reset_request", args=[auditor.pk]))
    assert AdminPasswordReset.objects.filter(target=auditor, status="pending").exists()
    # members keep theirs maintained by the office: no form, and the address answers 404
    assert 'id="contact"' not in client_for("member1").get(reverse("account_security")).content.decode()
    assert client_for("member1").post(reverse("account_contact"), {}).status_code == 404
