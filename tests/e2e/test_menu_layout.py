"""The top menu on a desktop: a leader sees fourteen sections; at 1280 and 1024 pixels wide the labels stay
on one line each (no column of single characters) and the page never scrolls sideways."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 1024])
def test_a_leaders_long_menu_wraps_instead_of_squeezing(browser, e2e_site, width):
    ctx = browser.new_context(base_url=e2e_site.url, viewport={"width": width, "height": 800}, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", "Demo@2026")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.goto("/consultation/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        # One line of text per label: each top-level menu entry is about as tall as a line.
        heights = page.evaluate(
            "() => [...document.querySelectorAll('#mainnav > ul > li > a.nav-link')]"
            ".map(a => a.getBoundingClientRect().height)"
        )
        assert len(heights) >= 10 and max(heights) < 50, heights
        assert page.locator("nav.navbar").bounding_box()["height"] < 130
    finally:
        ctx.close()
