"""Issue 14, finding 7 (三员分立): an administrator's password is reset only by two people — one
administrator asks, a different one approves — and the new password goes to the account's own phone or
e-mail, never to either administrator; every step audited."""

from django.core import mail

from zhengxie.core.models import AuditEntry
from zhengxie.core.sms import LoggingSMSBackend
from zhengxie.members.models import AdminPasswordReset


def test_one_administrator_asks_another_approves_and_only_the_account_gets_the_password(
    user, client_for, django_capture_on_commit_callbacks
):
    auditor = user("auditor")
    auditor.phone, auditor.email = "13900000099", "auditor@example.com"
    auditor.save()
    old_hash = auditor.password
    sec = client_for("secadmin")
    r = sec.post(f"/manage/users/{auditor.pk}/reset-request/", {"reason": "本人忘记密码，电话核实"})
    assert r.status_code == 302
    reset = AdminPasswordReset.objects.get(target=auditor)
    assert reset.status == "pending" and reset.requested_by.username == "secadmin"
    assert AuditEntry.objects.filter(action="members.admin_reset_request", target_id=str(auditor.pk)).exists()
    auditor.refresh_from_db()
    assert auditor.password == old_hash  # nothing changed yet

    # the requester cannot approve their own request, nor can the account itself
    page = sec.get(f"/manage/users/{auditor.pk}/").content.decode()
    assert "admin-reset-pending" in page and f"/manage/admin-resets/{reset.pk}/approve/" not in page
    sec.post(f"/manage/admin-resets/{reset.pk}/approve/")
    assert AdminPasswordReset.objects.get(pk=reset.pk).status == "pending"
    # a second request for the same account waits for the first
    sec.post(f"/manage/users/{auditor.pk}/reset-request/")
    assert AdminPasswordReset.objects.filter(target=auditor).count() == 1

    admin = client_for("admin")
    page = admin.get(f"/manage/users/{auditor.pk}/").content.decode()
    assert f"/manage/admin-resets/{reset.pk}/approve/" in page
    LoggingSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(f"/manage/admin-resets/{reset.pk}/approve/", follow=True)
    body = r.content.decode()
    reset.refresh_from_db()
    auditor.refresh_from_db()
    assert reset.status == "done" and reset.approved_by.username == "admin"
    assert auditor.password != old_hash
    # the password reached the account's own phone and mailbox, and no administrator's page
    ((phone, text),) = LoggingSMSBackend.sent
    password = text.split("临时密码：")[1].split("，")[0]
    assert phone == "13900000099" and auditor.check_password(password)
    assert mail.outbox[-1].to == ["auditor@example.com"] and password in mail.outbox[-1].body
    assert password not in body
    entry = AuditEntry.objects.filter(action="members.admin_reset_approve").latest("pk")
    assert entry.actor.username == "admin" and entry.after["requested_by"] == user("secadmin").pk
    # approving twice changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/manage/admin-resets/{reset.pk}/approve/")
    assert len(LoggingSMSBackend.sent) == 1


def test_a_request_needs_a_contact_of_the_account_and_is_only_for_administrators(user, client_for):
    auditor = user("auditor")
    auditor.phone, auditor.email = "", ""
    auditor.save()
    sec = client_for("secadmin")
    sec.post(f"/manage/users/{auditor.pk}/reset-request/")
    assert not AdminPasswordReset.objects.exists()  # the password could reach no one but an administrator
    member = user("member1")
    sec.post(f"/manage/users/{member.pk}/reset-request/")
    assert not AdminPasswordReset.objects.exists()  # ordinary accounts are reset directly
    # the direct reset of an administrator is still refused
    r = sec.post(f"/manage/users/{auditor.pk}/reset-password/")
    assert r.status_code == 302 and user("auditor").password == auditor.password


def test_a_non_administrator_cannot_approve(user, client_for):
    auditor = user("auditor")
    auditor.phone = "13900000099"
    auditor.save()
    client_for("secadmin").post(f"/manage/users/{auditor.pk}/reset-request/")
    reset = AdminPasswordReset.objects.get()
    for username in ("staff", "member1", "other"):
        r = client_for(username).post(f"/manage/admin-resets/{reset.pk}/approve/")
        assert r.status_code in (403, 404)
    assert AdminPasswordReset.objects.get().status == "pending"
