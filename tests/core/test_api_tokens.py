"""Issue 14, finding 3: API tokens end with the password and the logout; a password that must be changed
gives no API access; users list and end their own tokens in 账号安全."""

from django.test import Client
from django.urls import reverse

from zhengxie.core.models import MUST_CHANGE_PASSWORD_AT, ApiToken, AuditEntry

PASSWORD = "Demo@2026"


def _token(username, password=PASSWORD):
    r = Client().post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    return r


def _api(key):
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_the_users_own_password_change_ends_their_tokens(client_for):
    key = _token("member1").json()["token"]
    assert _api(key).get("/api/v1/me").status_code == 200
    r = client_for("member1").post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin@Mima2027", "new_password2": "Xin@Mima2027"},
    )
    assert r.status_code == 302
    assert _api(key).get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user__username="member1").exists()


def test_logout_ends_the_users_tokens(client_for):
    key = _token("member2").json()["token"]
    client_for("member2").post(reverse("logout"))
    assert _api(key).get("/api/v1/me").status_code == 401


def test_an_administrators_reset_ends_the_tokens_and_the_api_asks_for_a_new_password(user):
    from zhengxie.members import services

    key = _token("member3").json()["token"]
    password = services.user_reset_password(user=user("secadmin"), target=user("member3"))
    assert _api(key).get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="auth.token_revoke", actor__username="secadmin").exists()
    # The new (administrator-set) password gives no token until it is changed on the web.
    r = _token("member3", password)
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"


def test_a_token_of_a_user_who_must_change_the_password_gets_403(api_for, user, client_for):
    c = api_for("member1")
    u = user("member1")
    u.password_changed_at = MUST_CHANGE_PASSWORD_AT
    u.save(update_fields=["password_changed_at"])
    for path in ("/api/v1/me", "/api/v1/proposals"):
        r = c.get(path)
        assert r.status_code == 403 and r.json()["code"] == "password_change_required", path
    # the page session too
    r = client_for("member1").get("/api/v1/me")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    # but the token can still be ended
    assert c.post("/api/v1/auth/logout").json() == {"revoked": 1}


def test_expired_password_gets_403_from_the_api(api_for, user, settings):
    import datetime

    from django.utils import timezone

    settings.PASSWORD_EXPIRY_DAYS = 90
    c = api_for("member2")
    u = user("member2")
    u.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    u.save(update_fields=["password_changed_at"])
    r = c.get("/api/v1/me")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"


def test_api_logout_ends_the_callers_token_only(db):
    k1, k2 = _token("staff").json()["token"], _token("staff").json()["token"]
    r = _api(k1).post("/api/v1/auth/logout")
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert _api(k1).get("/api/v1/me").status_code == 401
    assert _api(k2).get("/api/v1/me").status_code == 200


def test_account_security_lists_and_revokes_own_tokens(client_for, user, db):
    k1, k2 = _token("member1").json()["token"], _token("member1").json()["token"]
    other = _token("member2").json()["token"]
    c = client_for("member1")
    page = c.get(reverse("account_security")).content.decode()
    mine = list(ApiToken.objects.filter(user__username="member1").order_by("pk"))
    assert len(mine) == 2 and all(f'id="token-{t.pk}"' in page for t in mine)
    # on a phone the line wraps, the button does not (it showed 注 and 销 on two lines at 375 px)
    assert 'class="btn btn-sm btn-outline-secondary text-nowrap" type="submit">注销<' in page
    theirs = ApiToken.objects.get(user__username="member2")
    assert f'id="token-{theirs.pk}"' not in page
    # not someone else's
    assert c.post(reverse("token_revoke", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("token_revoke", args=[mine[0].pk])).status_code == 302
    assert _api(k1).get("/api/v1/me").status_code == 401
    assert _api(k2).get("/api/v1/me").status_code == 200
    c.post(reverse("tokens_revoke_all"))
    assert _api(k2).get("/api/v1/me").status_code == 401
    assert _api(other).get("/api/v1/me").status_code == 200
    assert "没有有效的接口令牌" in c.get(reverse("account_security")).content.decode()


def test_a_post_without_a_valid_token_is_401_in_chinese_not_a_csrf_403(user):
    """An ended or missing token on a POST: 401 (the session check's English "CSRF check Failed" was
    answered before); a logged-in page session without the CSRF token: 403 in Chinese."""
    key = _token("member2").json()["token"]
    _api(key).post("/api/v1/auth/logout")
    for headers in ({"Authorization": f"Bearer {key}"}, {}):
        r = Client(enforce_csrf_checks=True, headers=headers).post(
            "/api/v1/proposals", {"title": "标题", "category": "经济建设"}, content_type="application/json"
        )
        assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效。", headers
    c = Client(enforce_csrf_checks=True)
    c.force_login(user("member2"))
    r = c.post(
        "/api/v1/proposals", {"title": "标题", "category": "经济建设"}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "csrf" and "CSRF" in r.json()["detail"]
