"""两步验证 in the browser: a staff user turns it on from 账号安全 (scanning is replaced by reading the
secret shown for manual entry), logs out, and logs in again with the password and a code. The password
alone opens no page. Uses `info`, whom no other journey logs in as (the server is shared per worker)."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def code_for(secret_text: str, steps_ahead: int = 0) -> str:
    b32 = secret_text.replace(" ", "").strip()
    totp = TOTP(b32decode(b32 + "=" * (-len(b32) % 8)))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_staff_enrols_an_authenticator_and_logs_in_with_a_code(page, login, e2e_site):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, "info")
    page.click("#user-menu")
    page.get_by_role("link", name="账号安全").click()
    expect(page.locator("#twofactor-status")).to_have_text("未开启")
    page.get_by_role("link", name="开启两步验证").click()

    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("() => document.querySelector('#totp-qr').naturalWidth") > 0  # drawn, no CDN
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_code", "000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="确认开启").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    assert page.locator("#totp-secret").inner_text() == secret  # the same secret, nothing saved yet
    page.fill("#id_code", code_for(secret))
    page.get_by_role("button", name="确认开启").click()
    expect(page.locator("#messages")).to_contain_text("两步验证已开启")
    expect(page.locator("#twofactor-status")).to_have_text("已开启")

    page.click("#user-menu")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.fill("#id_username", "info")
    page.fill("#id_password", "Demo@2026")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/login/otp/$"))
    expect(page.locator("h1")).to_have_text("两步验证")
    page.goto("/proposals/")  # the password alone opens no page
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/proposals/"))
    page.goto("/accounts/login/otp/")
    page.fill("#id_code", code_for(secret, steps_ahead=1))  # the enrolment's code cannot be replayed
    page.get_by_role("button", name="验证并登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("您好")

    actions = {
        a
        for (a,) in e2e_site.sql(
            "select action from core_auditentry where actor_id = (select id from core_user where username = 'info')"
        )
    }
    assert {"auth.2fa_enabled", "auth.login"} <= actions
    assert problems == []
