from django.urls import reverse

from zhengxie.core.models import AuditEntry


def test_login_by_username_lands_on_workbench(client, db):
    r = client.post(reverse("login"), {"username": "member1", "password": "Demo@2026"}, follow=True)
    assert r.status_code == 200
    assert "您好，张明华" in r.content.decode()
    assert AuditEntry.objects.filter(action="auth.login", actor__username="member1").exists()


def test_login_by_phone(client, user, db):
    phone = user("member1").phone
    r = client.post(reverse("login"), {"username": phone, "password": "Demo@2026"})
    assert r.status_code == 302


def test_wrong_password_shows_chinese_error_and_keeps_username(client, db):
    r = client.post(reverse("login"), {"username": "member1", "password": "nope"})
    body = r.content.decode()
    assert "用户名/手机号或密码错误" in body
    assert 'value="member1"' in body


def test_five_failures_lock_the_account(client, db):
    for _ in range(5):
        client.post(reverse("login"), {"username": "member2", "password": "wrong"})
    r = client.post(reverse("login"), {"username": "member2", "password": "Demo@2026"})
    assert "已被临时锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_is_sent_to_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


def test_password_change_enforces_complexity(client_for):
    c = client_for("member3")
    r = c.post(
        reverse("password_change"),
        {"old_password": "Demo@2026", "new_password1": "abcdefgh1", "new_password2": "abcdefgh1"},
    )
    assert "至少三类" in r.content.decode()
    r = c.post(
        reverse("password_change"),
        {"old_password": "Demo@2026", "new_password1": "Xin@Mima2027", "new_password2": "Xin@Mima2027"},
    )
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_change").exists()


def test_logout(client_for):
    c = client_for("member1")
    c.post(reverse("logout"))
    assert c.get("/").status_code == 302


def test_a_password_set_by_an_administrator_must_be_changed_even_without_expiry(client_for, user, settings):
    """New accounts, imports and resets set the must-change date; PASSWORD_EXPIRY_DAYS=0 (no expiry)
    must not let such a password stay in use."""
    from zhengxie.core.models import MUST_CHANGE_PASSWORD_AT

    settings.PASSWORD_EXPIRY_DAYS = 0
    u = user("member2")
    u.password_changed_at = MUST_CHANGE_PASSWORD_AT
    u.save(update_fields=["password_changed_at"])
    r = client_for("member2").get("/")
    assert r.status_code == 302 and r.url == reverse("password_change")
    u.password_changed_at = None
    u.save(update_fields=["password_changed_at"])
    assert client_for("member2").get("/").status_code == 200
