"""The top menu on a desktop: at 1280 px every role's menu is one row (the sections are grouped into a few
menus with dropdowns: navigation.MENUS); at 1024 px the labels stay on one line each (no column of single
characters) and the page never scrolls sideways."""

import pytest

pytestmark = pytest.mark.e2e

LINKS = "() => [...document.querySelectorAll('#mainnav > ul > li > a.nav-link')].map(a => a.getBoundingClientRect())"
ROLES = ["staff", "office", "info", "admin", "leader", "member1", "handler1", "citystaff"]


def _open(browser, e2e_site, username, width):
    ctx = browser.new_context(base_url=e2e_site.url, viewport={"width": width, "height": 800}, locale="zh-CN")
    page = ctx.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Demo@2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/consultation/")
    return ctx, page


def test_every_roles_menu_is_one_row_at_1280(browser, e2e_site):
    rows = {}
    for username in ROLES:
        ctx, page = _open(browser, e2e_site, username, 1280)
        try:
            boxes = page.evaluate(LINKS)
            rows[username] = (
                round(max(b["top"] for b in boxes) - min(b["top"] for b in boxes)),
                round(page.locator("nav.navbar").bounding_box()["height"]),
                page.evaluate("() => document.documentElement.scrollWidth"),
            )
        finally:
            ctx.close()
    # One row of links (menus, 消息, user: their tops within a few pixels), a navbar one line high, nothing
    # wider than the window.
    assert all(spread < 10 and h < 70 and w <= 1280 for spread, h, w in rows.values()), rows


def test_a_grouped_menu_opens_with_its_sections_as_headers(browser, e2e_site):
    from playwright.sync_api import expect

    ctx, page = _open(browser, e2e_site, "leader", 1280)
    try:
        page.locator("#mainnav a.dropdown-toggle", has_text="协商监督").click()
        menu = page.locator("#mainnav .dropdown-menu.show")
        expect(menu.locator(".dropdown-header")).to_have_text(
            ["协商议事", "重点工作", "民主监督", "视察调研"]
        )
        menu.get_by_role("link", name="重点工作看板").click()
        expect(page.locator("h1")).to_contain_text("重点工作")
    finally:
        ctx.close()


def test_at_1024_labels_stay_on_one_line(browser, e2e_site):
    ctx, page = _open(browser, e2e_site, "admin", 1024)
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
        heights = [b["height"] for b in page.evaluate(LINKS)]
        assert len(heights) >= 9 and max(heights) < 50, heights
        assert page.locator("nav.navbar").bounding_box()["height"] < 130
    finally:
        ctx.close()
