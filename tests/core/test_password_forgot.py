"""忘记密码 (issue 15): a member resets a forgotten password with a code sent by SMS to the registered
phone. The answer is the same whether or not an account has the number; codes are hashed, short-lived
and take few guesses; requests are limited per phone and per address; the new password passes the
project's validators; API tokens end; everything is audited."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from zhengxie.core.models import ApiToken, AuditEntry, PasswordResetCode
from zhengxie.core.sms import LoggingSMSBackend

pytestmark = pytest.mark.django_db

NEW = "Xin@Mima2026"


@pytest.fixture
def sms(monkeypatch):
    monkeypatch.setattr(LoggingSMSBackend, "sent", [])
    return LoggingSMSBackend.sent


def _ask(client, phone, capture, ip="10.0.0.1"):
    with capture(execute=True):
        return client.post("/accounts/password/forgot/", {"phone": phone}, REMOTE_ADDR=ip)


def _code(sms, phone):
    texts = [t for p, t in sms if p == phone]
    return re.search(r"验证码为 (\d{6})", texts[-1]).group(1)


def test_login_page_links_to_forgot_password(client):
    assert 'href="/accounts/password/forgot/"' in client.get("/accounts/login/").content.decode()


def test_member_resets_password_by_sms_code_and_logs_in_with_it(
    user, sms, django_capture_on_commit_callbacks
):
    m = user("member1")
    ApiToken.issue(m)
    c = Client()
    r = _ask(c, m.phone, django_capture_on_commit_callbacks)
    assert r.status_code == 302 and r["Location"] == "/accounts/password/forgot/reset/"
    code = _code(sms, m.phone)
    row = PasswordResetCode.objects.get(user=m)
    assert code not in row.code_hash and m.phone not in row.phone_hash  # only keyed hashes stored
    page = c.get(r["Location"]).content.decode()
    assert m.phone in page and "验证码已发送" in page  # the phone is kept for the second step
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": code, "password1": NEW, "password2": NEW},
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    m.refresh_from_db()
    assert m.check_password(NEW)
    assert not ApiToken.objects.filter(user=m).exists()
    assert AuditEntry.objects.filter(action="auth.password_reset_sms", target_id=str(m.pk)).exists()
    assert m.notifications.filter(title__contains="密码已通过短信验证码重置").exists()
    # The code is used up.
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": code, "password1": "Zai@Mima2026", "password2": "Zai@Mima2026"},
    )
    assert r.status_code == 200 and "验证码错误或已过期" in r.content.decode()
    r = Client().post("/accounts/login/", {"username": m.phone, "password": NEW})
    assert r.status_code == 302


def test_unknown_phone_gets_the_same_answer_and_no_sms(user, sms, django_capture_on_commit_callbacks):
    known = _ask(Client(), user("member2").phone, django_capture_on_commit_callbacks, ip="10.0.0.2")
    unknown = _ask(Client(), "16600000000", django_capture_on_commit_callbacks, ip="10.0.0.3")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [p for p, _ in sms] == [user("member2").phone]
    assert AuditEntry.objects.filter(action="auth.password_reset_request").count() == 2


def test_bad_input_is_explained_and_kept(user, sms, django_capture_on_commit_callbacks):
    c = Client()
    r = _ask(c, "1234", django_capture_on_commit_callbacks)
    assert (
        r.status_code == 200
        and "请输入 11 位手机号码" in r.content.decode()
        and 'value="1234"' in r.content.decode()
    )
    m = user("member1")
    _ask(c, m.phone, django_capture_on_commit_callbacks)
    code = _code(sms, m.phone)
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": code, "password1": "abc", "password2": "abc"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "密码" in body and "至少" in body  # the project's validators
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": code, "password1": NEW, "password2": NEW + "x"},
    )
    assert "两次输入的新密码不一致" in r.content.decode()
    m.refresh_from_db()
    assert not m.check_password(NEW)


def test_a_code_takes_five_wrong_guesses_then_dies(user, sms, django_capture_on_commit_callbacks):
    m = user("member1")
    c = Client()
    _ask(c, m.phone, django_capture_on_commit_callbacks)
    code = _code(sms, m.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        r = c.post(
            "/accounts/password/forgot/reset/",
            {"phone": m.phone, "code": wrong, "password1": NEW, "password2": NEW},
        )
        assert "验证码错误或已过期" in r.content.decode()
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": code, "password1": NEW, "password2": NEW},
    )
    assert "验证码错误或已过期" in r.content.decode()
    m.refresh_from_db()
    assert not m.check_password(NEW)


def test_an_expired_code_is_refused(user, sms, django_capture_on_commit_callbacks):
    m = user("member1")
    c = Client()
    _ask(c, m.phone, django_capture_on_commit_callbacks)
    PasswordResetCode.objects.filter(user=m).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    r = c.post(
        "/accounts/password/forgot/reset/",
        {"phone": m.phone, "code": _code(sms, m.phone), "password1": NEW, "password2": NEW},
    )
    assert "验证码错误或已过期" in r.content.decode()


def test_limited_per_phone_and_per_address_alike_for_unknown_phones(
    user, sms, django_capture_on_commit_callbacks
):
    m = user("member1")
    for i in range(3):
        assert (
            _ask(Client(), m.phone, django_capture_on_commit_callbacks, ip=f"10.1.0.{i}").status_code == 302
        )
    r = _ask(Client(), m.phone, django_capture_on_commit_callbacks, ip="10.1.0.9")
    assert r.status_code == 429 and "最多获取 3 次" in r.content.decode()
    for i in range(3):
        _ask(Client(), "16600000001", django_capture_on_commit_callbacks, ip=f"10.2.0.{i}")
    r = _ask(Client(), "16600000001", django_capture_on_commit_callbacks, ip="10.2.0.9")
    assert r.status_code == 429 and "最多获取 3 次" in r.content.decode()  # no enumeration by the limit
    assert len(sms) == 3
    # One address asking for many phones.
    for i in range(10):
        _ask(Client(), f"1660001{i:04d}", django_capture_on_commit_callbacks, ip="10.3.0.1")
    r = _ask(Client(), "16600019999", django_capture_on_commit_callbacks, ip="10.3.0.1")
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
