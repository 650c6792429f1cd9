"""Issue 14, finding 4: five wrong passwords lock the account, whatever identifier was typed."""

import pytest
from django.test import Client
from django.urls import reverse

PASSWORD = "Demo@2026"


def _web(c, identifier, password):
    return c.post(reverse("login"), {"username": identifier, "password": password})


def _api(identifier, password):
    return Client().post(
        "/api/v1/auth/token", {"username": identifier, "password": password}, content_type="application/json"
    )


@pytest.mark.parametrize("wrong_with,then_with", [("username", "phone"), ("phone", "username")])
def test_five_failures_lock_the_account_under_its_other_identifier(client, user, wrong_with, then_with):
    u = user("member2")
    ids = {"username": u.username, "phone": u.phone}
    assert ids["phone"] and ids["phone"] != ids["username"]
    for _ in range(5):
        _web(client, ids[wrong_with], "wrong")
    r = _web(Client(), ids[then_with], PASSWORD)
    assert "已被临时锁定" in r.content.decode()
    assert _api(ids[then_with], PASSWORD).status_code == 429


def test_failures_spread_over_both_identifiers_add_up(user):
    u = user("member3")
    for identifier in [u.username, u.phone, u.username, u.phone, u.phone]:
        _api(identifier, "wrong")
    assert _api(u.username, PASSWORD).status_code == 429
    assert _api(u.phone, PASSWORD).status_code == 429


def test_the_security_administrators_unlock_clears_the_account(user):
    from zhengxie.members import services

    u = user("member1")
    for _ in range(5):
        _api(u.phone, "wrong")
    assert _api(u.username, PASSWORD).status_code == 429
    services.user_unlock(user=user("secadmin"), target=u)
    assert _api(u.phone, PASSWORD).status_code == 200
