"""热点分析 in the browser: the leader opens 热点 from the menu (the chart is drawn, the list shows label,
size, kinds, trend), opens the hottest matter and its items, and on a phone reads the same list; the
办公室 recomputes (progress, then the fresh run) and turns a matter into a consultation topic candidate
that cites its items."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "hottopics"


def test_leader_reads_hot_topics_and_the_office_makes_one_a_consultation_topic(page_for, e2e_site):
    problems = []
    leader = page_for("leader")
    watch(leader, problems)
    leader.goto("/")
    leader.get_by_role("link", name="热点分析").first.click()
    expect(leader).to_have_url(re.compile(r"/hottopics/$"))
    expect(leader.locator("#hot-freshness")).to_contain_text("数据更新于")
    expect(leader.locator("#hot-chart-box canvas")).to_have_count(1)
    rows = leader.locator("#hot-rows tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    expect(leader.locator("#hot-recompute")).to_have_count(0)  # leaders read
    shot(leader, SHOTS, "01-board")

    label = leader.locator("#hot-rows .hot-link").first.inner_text().strip()
    leader.locator("#hot-rows .hot-link").first.click()
    expect(leader.locator("#hot-title")).to_have_text(label)
    expect(leader.locator("#hot-items a").first).to_be_visible()
    assert leader.locator("#hot-items a").count() >= 2
    expect(leader.locator("#hot-to-topic")).to_have_count(0)
    shot(leader, SHOTS, "02-cluster")

    # A filter by kind keeps the choice and lists only matters with such items.
    leader.goto("/hottopics/")
    leader.uncheck("#hot-kind-hall_comment")
    leader.uncheck("#hot-kind-opinion")
    leader.uncheck("#hot-kind-proposal")
    leader.locator("#hot-filters button[type=submit]").click()
    expect(leader.locator("#hot-kind-public_suggestion")).to_be_checked()
    expect(leader.locator("#hot-kind-proposal")).not_to_be_checked()

    phone = page_for("leader", phone=True)
    watch(phone, problems)
    phone.goto("/hottopics/")
    expect(phone.locator("#hot-rows .hot-link").first).to_be_visible()
    shot(phone, SHOTS, "03-phone")

    office = page_for("office")
    watch(office, problems)
    office.goto("/hottopics/")
    office.click("#hot-recompute")
    expect(office.locator("#messages")).to_contain_text("热点")
    expect(office.locator("#hot-rows .hot-link").first).to_be_visible()
    (fresh,) = e2e_site.sql(
        "SELECT COUNT(*) FROM hottopics_run WHERE requested_by_id IS NOT NULL AND status = 'done'"
    )[0]
    assert fresh == 1
    # The first matter not yet a topic.
    links = office.locator("#hot-rows tbody tr:not(:has(.text-bg-success)) .hot-link")
    label = links.first.inner_text().strip()
    links.first.click()
    office.fill("#hot-topic-title", f"{label}（协商）")
    shot(office, SHOTS, "04-to-topic")
    office.click("#hot-to-topic")
    expect(office).to_have_url(re.compile(r"/consultation/topics/\d+/$"))
    expect(office.locator("#messages")).to_contain_text("候选协商议题")
    expect(office.locator("body")).to_contain_text(f"{label}（协商）")
    expect(office.locator("body")).to_contain_text("热点分析")
    shot(office, SHOTS, "05-topic")
    assert not problems, problems
