"""帮助 and 「？」 on a phone (issue 15), 375 pixels wide: member1 opens 帮助 from the user menu (its own 委员 page,
whose links work), then taps the 「？」 beside 提案类型 on the drafting form: the popover says the 联名 rule,
a tap elsewhere closes it, and the keyboard (Tab to it, Enter, Escape) works the same — with no CSP
violation from the popover."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def test_member_opens_help_and_a_hint_on_the_drafting_form_at_375px(phone_page, login):
    page = phone_page
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, "member1")
    assert page.viewport_size["width"] == 375

    # 帮助 from the user menu, inside the collapsed navbar.
    # Wait out each animation: a click while the menu is still sliding open can miss.
    page.click("button.navbar-toggler")
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    page.click("#user-menu")
    expect(page.locator("#user-menu")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#help-link")).to_be_visible()
    page.click("#help-link")
    expect(page.locator("h1")).to_contain_text("帮助：委员")
    expect(page.locator('#help-roles [aria-current="page"]')).to_contain_text("我的角色")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 376
    # A step links to the real page.
    page.locator("#job-proposal").get_by_role("link", name="起草提案").click()
    expect(page.locator("h1")).to_have_text("起草提案")

    # The 「？」 beside 提案类型: a tap opens the rule, a tap elsewhere closes it.
    hint = page.locator('[data-hint="proposals.ProposalForm.kind"]')
    box = hint.bounding_box()
    assert box["width"] >= 20 and box["height"] >= 20  # a target a finger can hit
    hint.tap()
    popover = page.locator(".popover")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("提案类型")
    expect(popover).to_contain_text("确认附议")
    pb = popover.bounding_box()
    assert pb["x"] >= 0 and pb["x"] + pb["width"] <= 376  # on the screen of a phone
    page.locator("h1").tap()
    expect(popover).to_have_count(0)

    # The keyboard: focus the button, Enter opens, Escape closes.
    hint.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".popover")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".popover")).to_have_count(0)

    # Opening another hint closes the first.
    hint.tap()
    page.locator('[data-hint="proposals.cosigners"]').tap()
    # The second shown first (the count alone could read 1 before the tap reached the page), then the
    # first gone once its fade-out ends.
    expect(page.locator(".popover.show")).to_contain_text("联名附议")
    expect(page.locator(".popover")).to_have_count(1)

    assert page.evaluate("() => window.__csp") == []
