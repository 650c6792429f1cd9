"""The 大屏 in the browser (issue #13): the county leader puts the year's figures on the meeting room's
1920×1080 screen, the city's staff the table of its counties; both draw their charts (canvases, dark), show
no site menu, fit the screen's width at 1920, 1280 and on a phone, and log no console error or CSP
violation. Screenshots go to test-results/e2e/wall/."""

import datetime
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from .helpers import shot, watch

WALL = {"width": 1920, "height": 1080}

# Registered before any page script runs: every CSP violation the document sees is kept on window.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def _open(page, url, problems):
    r = page.goto(url)
    assert r.status == 200, url
    page.wait_for_load_state("networkidle")
    expect(page.locator("nav.navbar")).to_have_count(0)
    expect(page.locator("footer")).to_have_count(0)
    expect(page.locator("#wall-freshness")).to_contain_text("每5分钟自动刷新")
    expect(page.locator("[data-clock]")).to_contain_text("星期")
    # The site's time (Asia/Shanghai, as 统计时间), not the screen's own zone (this browser runs in UTC).
    site_now = datetime.datetime.now(ZoneInfo(settings.TIME_ZONE))
    hour = int(re.search(r" (\d\d):\d\d:\d\d", page.locator("[data-clock]").inner_text()).group(1))
    assert hour in {site_now.hour, (site_now - datetime.timedelta(minutes=1)).hour}
    charts = page.locator("[data-chart-source][data-rendered]")
    expect(charts.first).to_be_visible()
    assert charts.count() == page.locator("[data-chart-source]").count()
    assert page.locator("[data-chart-source] canvas").count() >= charts.count()
    assert page.evaluate("window.__csp") == []
    assert problems == [], problems


def _fits(page):
    """Nothing sticks out sideways (the table may scroll inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_leader_puts_the_year_on_the_wall(page_for):
    page = page_for("leader")
    page.add_init_script(RECORD_VIOLATIONS)
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(WALL)
    page.goto("/yearbook/")
    page.locator("#yearbook-wall").click()
    page.wait_for_url("**/yearbook/?*wall=1*")
    _open(page, page.url, problems)
    expect(page.locator("#wall-title")).to_contain_text("青川县政协")
    expect(page.locator('[data-tile="proposals.submitted"]')).to_contain_text("提交提案")
    assert page.locator("[data-tile]").count() >= 12
    # the whole wall on one 1920×1080 screen: the tiles and the monthly charts without scrolling
    assert page.evaluate("document.documentElement.scrollHeight") <= WALL["height"] + 40
    assert _fits(page)
    shot(page, "wall", "year-1920")
    for size in ({"width": 1280, "height": 800}, {"width": 375, "height": 812}):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        assert _fits(page), size
        shot(page, "wall", f"year-{size['width']}")
    # 退出大屏: back to the normal page
    page.locator("#wall-exit").click()
    expect(page.locator("nav.navbar")).to_have_count(1)
    expect(page.locator("#yearbook-title")).to_be_visible()
    assert problems == [], problems


def test_the_city_puts_its_counties_on_the_wall(page_for):
    page = page_for("citystaff")
    page.add_init_script(RECORD_VIOLATIONS)
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(WALL)
    page.goto("/yearbook/levels/?figure=proposals.reply_rate")
    # the normal page draws the ranking beside its list
    expect(page.locator('[data-chart-source="levels-ranking-chart"][data-rendered] canvas')).to_have_count(1)
    page.wait_for_timeout(1200)  # the bars grow in
    shot(page, "wall", "levels-page-1920")
    page.locator("#levels-wall").click()
    page.wait_for_url("**wall=1*")
    assert "figure=proposals.reply_rate" in page.url
    _open(page, page.url, problems)
    expect(page.locator("#wall-ranking")).to_contain_text("办复率")
    expect(page.locator("#wall-table")).to_contain_text("青川县政协")
    ranked = page.evaluate(
        "JSON.parse(document.getElementById('levels-ranking-chart').textContent).yAxis.data.length"
    )
    outliers = page.locator("#wall-table tr.wall-outlier").count()
    assert outliers >= 1 if ranked >= 3 else outliers == 0  # the worst of three or more is marked
    assert _fits(page)
    shot(page, "wall", "levels-1920")
    for size in ({"width": 1280, "height": 800}, {"width": 375, "height": 812}):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        assert _fits(page), size
        shot(page, "wall", f"levels-{size['width']}")
    assert problems == [], problems
