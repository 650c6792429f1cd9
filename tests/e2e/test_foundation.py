"""Foundation journeys: logging in, the workbench, the phone layout, a handling unit created by an admin."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_member_logs_in_and_sees_the_workbench(page, login):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, "member1")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("您好，张明华")
    expect(page.locator("#user-menu")).to_contain_text("张明华")
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    # Bootstrap, htmx and our script loaded from the collected static files, under the strict CSP.
    assert page.evaluate("() => Boolean(window.bootstrap && window.htmx)")
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('nav.navbar')).backgroundImage")
        != "none"
    )
    assert problems == []


def test_admin_logs_in_and_sees_the_workbench(page, login):
    login(page, "admin")
    expect(page.locator("h1")).to_have_text("您好，系统管理员")
    page.click("#user-menu")
    expect(page.locator("#mainnav .dropdown-menu-end")).to_contain_text("江州市政协 · 系统管理员")
    expect(page.locator("#mainnav .dropdown-menu-end")).to_be_visible()


def test_wrong_password_shows_the_chinese_error_and_keeps_the_username(page):
    page.goto("/accounts/login/")
    page.fill("#id_username", "member2")
    page.fill("#id_password", "not-the-password")
    page.click("main form button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("用户名/手机号或密码错误")
    expect(page.locator("#id_username")).to_have_value("member2")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_logout_returns_to_the_login_page(page, login):
    login(page, "member3")
    page.click("#user-menu")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))


def test_phone_layout_collapses_the_menu_behind_a_toggler(phone_page, login):
    page = phone_page
    login(page, "member1")
    expect(page.locator("h1")).to_have_text("您好，张明华")
    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    menu = page.locator("#mainnav")
    expect(menu).to_be_hidden()
    toggler.click()
    expect(menu).to_be_visible()
    menu.get_by_role("button", name="工作台").or_(menu.get_by_role("link", name="工作台")).first.click()
    expect(menu.get_by_role("link", name="消息中心")).to_be_visible()
    # Nothing is wider than the screen (no sideways scrolling on a phone).
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


def test_admin_creates_a_handling_unit(page, login, e2e_site):
    """The members app's management pages: /manage/units/ and its 添加承办单位 form."""
    login(page, "admin")
    page.goto("/manage/units/")
    page.get_by_role("link", name="添加承办单位").click()
    page.select_option("#id_organisation", label="青川县政协")
    page.fill("#id_name", "县数据测试中心")
    page.fill("#id_short_name", "数测中心")
    page.fill("#id_leader_name", "钱立新")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#messages")).to_contain_text("已添加承办单位“县数据测试中心”")

    page.goto("/manage/units/?q=数测中心")
    expect(page.locator("#unit-list")).to_contain_text("县数据测试中心")
    expect(page.locator("#unit-list")).to_contain_text("钱立新")
    rows = e2e_site.sql(
        "select o.name from core_handlingunit u join core_organisation o on o.id = u.organisation_id"
        " where u.name = ?",
        ("县数据测试中心",),
    )
    assert rows == [("青川县政协",)]

    # The same name again: a Chinese error, and what was typed stays in the form.
    page.goto("/manage/units/new/")
    page.select_option("#id_organisation", label="青川县政协")
    page.fill("#id_name", "县数据测试中心")
    page.fill("#id_short_name", "重复")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text(re.compile("已有承办单位“县数据测试中心”|已经存在"))
    expect(page.locator("#id_name")).to_have_value("县数据测试中心")
    expect(page.locator("#id_short_name")).to_have_value("重复")


def test_the_access_log_keeps_no_query_strings(page, login, e2e_site):
    """deploy/gunicorn.conf.py logs paths only: search terms and phone numbers stay out of the logs."""
    login(page, "member1")
    page.goto("/inbox/?unread=1&q=13912345678")
    expect(page.locator("h1")).to_have_text("消息中心")
    log = e2e_site.log_path.read_text(errors="replace")
    assert '"GET /inbox/ HTTP/1.1" 200' in log
    assert "13912345678" not in log and "unread=1" not in log
