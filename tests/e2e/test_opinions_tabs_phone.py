"""#9 leftover: on a phone (375 px) the 信息工作台 tab strip scrolled inside itself and cut 「代为撰写的信息」;
the tabs now wrap, each whole and inside the screen."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_info_office_tabs_show_whole_on_a_phone(page_for):
    info = page_for("info", phone=True)
    info.goto("/opinions/queue/")
    tabs = info.locator("#opinion-tabs")
    expect(tabs.get_by_role("link", name="代为撰写的信息")).to_be_visible()
    boxes = info.evaluate(
        "() => [...document.querySelectorAll('#opinion-tabs a')].map(a => {"
        " const r = a.getBoundingClientRect(); return [a.textContent.trim(), r.left, r.right, a.scrollWidth <= a.clientWidth]; })"
    )
    assert len(boxes) >= 3 and all(left >= 0 and right <= 375 and whole for _, left, right, whole in boxes), (
        boxes
    )
    strip = info.evaluate(
        "() => { const u = document.getElementById('opinion-tabs'); return [u.scrollWidth, u.clientWidth]; }"
    )
    assert strip[0] <= strip[1], strip  # nothing scrolled out of the strip
    assert info.evaluate("() => document.documentElement.scrollWidth") <= 375
