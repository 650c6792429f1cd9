"""The second factor (两步验证, TOTP): enrolment, login's code step, the role policy, the security
administrator's reset and the API token. Codes come from django-otp's own TOTP implementation."""

import re
import time
from binascii import unhexlify

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengxie.core import twofactor
from zhengxie.core.models import AuditEntry, Notification

PASSWORD = "Demo@2026"


def code(key_hex: str, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def device_of(user):
    def make(username: str) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user(username), name="身份验证器", confirmed=True)

    return make


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def password_step(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


# --- enrolment and disabling ----------------------------------------------------------------------


def secret_on_page(body: str) -> str:
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1)
    from base64 import b32decode

    b32 = shown.replace(" ", "")
    return b32decode(b32 + "=" * (-len(b32) % 8)).hex()


def test_security_page_from_the_user_menu_shows_the_status(client_for):
    c = client_for("staff")
    assert reverse("account_security") in c.get("/").content.decode()
    body = c.get(reverse("account_security")).content.decode()
    assert "两步验证" in body and "未开启" in body and "开启两步验证" in body


def test_enrol_wrong_code_saves_nothing_then_the_right_code_turns_it_on(client_for, user):
    c = client_for("staff")
    page = c.get(reverse("totp_enrol"))
    body = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert 'src="data:image/svg+xml' in body  # the QR code is made here, no external service
    key = secret_on_page(body)
    assert c.get(reverse("totp_enrol")).content.decode().count(twofactor.secret_text(key)) == 1  # same secret

    r = c.post(reverse("totp_enrol"), {"code": "000000" if code(key) != "000000" else "111111"})
    assert "验证码不正确" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=user("staff")).exists()

    r = c.post(reverse("totp_enrol"), {"code": code(key)})
    assert r.status_code == 302 and r.url == reverse("account_security")
    device = TOTPDevice.objects.get(user=user("staff"))
    assert device.confirmed and device.key == key
    entry = AuditEntry.objects.get(action="auth.2fa_enabled", actor=user("staff"))
    assert key not in str(entry.after) and twofactor.secret_text(key) not in str(entry.after)
    assert Notification.objects.filter(user=user("staff"), title="已开启两步验证").exists()
    assert "已开启" in c.get(reverse("account_security")).content.decode()


def test_disable_needs_the_password_and_a_code(client_for, user, device_of, no_throttle):
    c = client_for("staff")  # logged in before the device existed (as if enrolled in this session)
    device = device_of("staff")
    r = c.post(reverse("totp_disable"), {"password": "wrong", "code": code(device.key)})
    assert r.status_code == 422 and "密码不正确" in r.content.decode()
    r = c.post(reverse("totp_disable"), {"password": PASSWORD, "code": "12345x"})
    assert r.status_code == 422 and "验证码错误" in r.content.decode()
    assert TOTPDevice.objects.filter(user=user("staff")).exists()
    r = c.post(reverse("totp_disable"), {"password": PASSWORD, "code": code(device.key)})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=user("staff")).exists()
    assert AuditEntry.objects.filter(action="auth.2fa_disabled", actor=user("staff")).exists()


# --- login --------------------------------------------------------------------------------------


def test_without_a_device_login_is_unchanged(client, db):
    r = password_step(client, "staff")
    assert r.status_code == 302 and r.url == reverse("core:workbench")
    assert "_auth_user_id" in client.session


def test_with_a_device_the_password_alone_opens_nothing(client, device_of):
    device_of("staff")
    r = password_step(client, "staff", next_url="/proposals/")
    assert r.status_code == 302 and r.url == reverse("login_otp")
    assert "_auth_user_id" not in client.session
    for path in ["/", "/proposals/", "/manage/users/", reverse("account_security"), "/inbox/"]:
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith(reverse("login")), path
    assert client.get("/api/v1/me").status_code == 401
    body = client.get(reverse("login_otp")).content.decode()
    assert "两步验证" in body and "6 位验证码" in body


def test_with_a_device_a_current_code_logs_in_and_goes_to_next(client, device_of, user):
    device = device_of("staff")
    password_step(client, "staff", next_url="/proposals/")
    r = client.post(reverse("login_otp"), {"code": code(device.key)})
    assert r.status_code == 302 and r.url == "/proposals/"
    assert client.session["_auth_user_id"] == str(user("staff").pk)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.login", actor=user("staff")).exists()


def test_wrong_code_shows_a_chinese_message_is_audited_and_throttled(client, device_of, user):
    device = device_of("staff")
    password_step(client, "staff")
    r = client.post(reverse("login_otp"), {"code": "12345"})
    assert r.status_code == 200 and "验证码错误或已过期" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.2fa_failed", actor=user("staff")).exists()
    # django-otp throttles at once: even the right code waits a moment.
    r = client.post(reverse("login_otp"), {"code": code(device.key)})
    assert "次数过多" in r.content.decode() and "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, device_of, no_throttle):
    device = device_of("staff")
    password_step(client, "staff")
    client.post(reverse("login_otp"), {"code": code(device.key)})
    client.post(reverse("logout"))
    password_step(client, "staff")
    r = client.post(reverse("login_otp"), {"code": code(device.key)})
    assert "验证码错误或已过期" in r.content.decode()


def test_repeated_wrong_codes_lock_the_account(client, device_of, no_throttle):
    device = device_of("staff")
    password_step(client, "staff")
    for _ in range(5):
        r = client.post(
            reverse("login_otp"), {"code": "000000" if code(device.key) != "000000" else "999999"}
        )
    assert r.status_code == 429 and "已被临时锁定" in r.content.decode()
    r = password_step(client, "staff")
    assert "已被临时锁定" in r.content.decode() and "_auth_user_id" not in client.session


def test_the_code_step_expires(client, device_of, monkeypatch):
    device = device_of("staff")
    password_step(client, "staff")
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor.time, "time", lambda: later)
    r = client.post(reverse("login_otp"), {"code": code(device.key)})
    assert r.status_code == 302 and r.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_session_that_skipped_the_code_is_sent_to_the_code_step(client_for, device_of):
    """e.g. a password-only login through another form (django-admin's)."""
    device_of("admin")
    c = client_for("admin")
    r = c.get("/manage/")
    assert r.status_code == 302 and r.url == reverse("login_otp")
    assert "_auth_user_id" not in c.session
    assert c.get("/api/v1/me").status_code == 401


# --- the role policy -------------------------------------------------------------------------------


@pytest.fixture
def staff_must_use_it(user):
    org = user("staff").organisation
    org.settings = {**(org.settings or {}), twofactor.REQUIRED_ROLES_KEY: ["staff"]}
    org.save(update_fields=["settings"])


def test_required_role_without_a_device_is_sent_to_enrolment(client, staff_must_use_it, user):
    r = password_step(client, "staff")
    assert r.status_code == 302
    r = client.get(r.url)
    assert r.status_code == 302 and r.url == reverse("totp_enrol")
    for path in ["/proposals/", "/inbox/"]:
        assert client.get(path).url == reverse("totp_enrol")
    page = client.get(reverse("totp_enrol"))
    body = page.content.decode()
    assert "要求您的角色使用两步验证" in body
    client.post(reverse("totp_enrol"), {"code": code(secret_on_page(body))})
    assert client.get("/proposals/").status_code == 200
    # ... and may not turn it off again.
    assert "不能关闭" in client.get(reverse("account_security")).content.decode()
    # Roles the setting does not name log in as before.
    other = Client()
    password_step(other, "member1")
    assert other.get("/").status_code == 200


def test_the_setting_is_listed_with_the_organisation_settings(client_for, user):
    org = user("staff").organisation
    body = client_for("admin").get(reverse("members:org_settings", args=[org.pk])).content.decode()
    assert twofactor.REQUIRED_ROLES_KEY in body


# --- the security administrator's reset ------------------------------------------------------------


def test_secadmin_resets_a_users_second_factor(client_for, device_of, user):
    device_of("staff")
    staff = user("staff")
    c = client_for("secadmin")
    detail = c.get(reverse("members:user", args=[staff.pk])).content.decode()
    assert "重置两步验证" in detail and "已开启" in detail
    r = c.post(reverse("members:user_reset_2fa", args=[staff.pk]))
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert AuditEntry.objects.filter(
        action="members.user_reset_2fa", actor=user("secadmin"), target_id=str(staff.pk)
    ).exists()
    assert Notification.objects.filter(user=staff, title="您的两步验证已被重置").exists()
    # The user logs in with the password alone now.
    anon = Client()
    assert password_step(anon, "staff").url == reverse("core:workbench")


@pytest.mark.parametrize("who", ["member1", "staff", "auditor", "leader"])
def test_others_may_not_reset(client_for, device_of, user, who):
    device_of("office")
    r = client_for(who).post(reverse("members:user_reset_2fa", args=[user("office").pk]))
    assert r.status_code == 404
    assert TOTPDevice.objects.filter(user=user("office")).exists()


def test_secadmin_may_not_reset_outside_their_organisation_or_themselves(client_for, device_of, user):
    c = client_for("secadmin")
    device_of("other")
    device_of("secadmin")
    assert c.post(reverse("members:user_reset_2fa", args=[user("other").pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=user("other")).exists()
    r = c.post(reverse("members:user_reset_2fa", args=[user("secadmin").pk]), follow=True)
    assert "请在“账号安全”中管理您自己的两步验证" in r.content.decode()
    assert TOTPDevice.objects.filter(user=user("secadmin")).exists()


def test_service_refuses_the_wrong_people(device_of, user):
    from zhengxie.core.errors import Conflict, Forbidden

    device_of("staff")
    with pytest.raises(Forbidden):
        twofactor.totp_reset(user=user("member1"), target=user("staff"))
    with pytest.raises(Forbidden):
        twofactor.totp_reset(user=user("secadmin"), target=user("other"))
    device_of("secadmin")
    with pytest.raises(Conflict):
        twofactor.totp_reset(user=user("secadmin"), target=user("secadmin"))
    assert TOTPDevice.objects.filter(user__username__in=["staff", "secadmin"]).count() == 2


# --- the API token ---------------------------------------------------------------------------------


def token(client, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": "staff", "password": PASSWORD, **extra},
        content_type="application/json",
    )


def test_api_token_without_a_device_needs_no_otp(client, db):
    r = token(client)
    assert r.status_code == 200 and r.json()["token"]


def test_api_token_with_a_device_needs_the_otp(client, device_of, user, no_throttle):
    device = device_of("staff")
    r = token(client)
    assert r.status_code == 401 and r.json()["code"] == "otp_required" and "两步验证" in r.json()["detail"]
    r = token(client, otp="000000" if code(device.key) != "000000" else "111111")
    assert r.status_code == 401 and r.json()["code"] == "invalid_otp" and "验证码" in r.json()["detail"]
    assert AuditEntry.objects.filter(
        action="auth.2fa_failed", actor=user("staff"), after__where="api"
    ).exists()
    r = token(client, otp=code(device.key))
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["username"] == "staff"


def test_a_role_that_requires_the_second_factor_gets_no_token_on_the_password_alone(
    client, staff_must_use_it
):
    r = token(client)
    assert r.status_code == 403 and "两步验证" in r.json()["detail"]


def test_turning_it_on_ends_the_tokens_got_with_the_password_alone(client, client_for, user):
    old = token(client).json()["token"]
    auth = {"Authorization": f"Bearer {old}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    c = client_for("staff")
    key = secret_on_page(c.get(reverse("totp_enrol")).content.decode())
    assert c.post(reverse("totp_enrol"), {"code": code(key)}).status_code == 302
    assert Client().get("/api/v1/me", headers=auth).status_code == 401
