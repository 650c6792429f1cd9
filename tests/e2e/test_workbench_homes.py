"""Workbench (#15) in the browser: the office follows 「待审批的请假申请」 to 请假审批 and approves a request in
its row; a unit's 消息中心 shows unread messages of one kind as one digest that opens them and is marked read
in one click; a 乡镇联络组 on a phone sees its members, meetings and figures and opens a member's 一员一档;
a leader sees the key figures; the city's staff the counties' queues.

Screenshots go to test-results/e2e/workbench/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "workbench"


def test_office_approves_leave_from_the_to_do(page_for):
    problems = []
    o = page_for("office")
    watch(o, problems)
    card = o.locator("#todos a").filter(has_text="待审批的请假申请")
    n = int(card.locator(".count").inner_text())
    card.click()
    o.wait_for_load_state()
    expect(o.locator("h1")).to_have_text("请假审批")
    rows = o.locator("#leave-requests tbody tr")
    expect(rows).to_have_count(n)
    row = rows.filter(has_text="当天在市里参加医院等级评审")
    shot(o, SHOTS, "01-leave-requests")
    row.get_by_role("button", name="同意", exact=True).click()
    expect(
        o.locator("#leave-requests tbody tr").filter(has_text="当天在市里参加医院等级评审")
    ).to_contain_text("已准假")
    o.goto("/")
    if n == 1:
        expect(o.locator("#todos")).not_to_contain_text("待审批的请假申请")
    else:
        expect(o.locator("#todos a").filter(has_text="待审批的请假申请").locator(".count")).to_have_text(
            str(n - 1)
        )
    assert problems == []


def test_a_unit_reads_a_digest_and_marks_it_read(page_for):
    problems = []
    h = page_for("handler1")
    watch(h, problems)
    h.goto("/inbox/")
    digest = h.locator("#digests .digest").first
    expect(digest).to_be_visible()
    label = digest.locator("a").inner_text()
    count, kind = re.match(r"(\d+)条(.+)", label).groups()
    shot(h, SHOTS, "02-inbox-digests")
    digest.locator("a").click()
    h.wait_for_load_state()
    expect(h.locator("#digest-kind")).to_contain_text(kind)
    expect(h.locator("#notification-list .list-group-item")).to_have_count(int(count))
    shot(h, SHOTS, "03-digest-opened")
    h.get_by_role("button", name="本类标为已读").click()
    h.wait_for_load_state()
    expect(h.locator("#messages")).to_contain_text(f"已将 {count} 条「{kind}」标为已读")
    h.goto("/inbox/")
    expect(h.locator("#digests")).not_to_contain_text(label)
    assert problems == []


def test_liaison_leader_and_city_homes(page_for, e2e_site):
    problems = []
    li = page_for("liaison", phone=True)
    watch(li, problems)
    for section in ("#dash-liaison-members", "#dash-liaison-meetings", "#dash-liaison-scores"):
        expect(li.locator(section)).to_be_visible()
    shot(li, SHOTS, "04-liaison-home-phone")
    ((members,),) = e2e_site.sql(
        "select count(*) from members_member where status = 'active' and liaison_group_id = "
        "(select organisation_id from core_user where username = 'liaison')"
    )
    expect(li.locator("#liaison-members-count")).to_have_text(f"{members} 人")
    if members:  # the small test demo may give the group nobody
        member = li.locator("#liaison-member-list a").first
        name = member.inner_text()
        member.click()
        li.wait_for_load_state()
        expect(li.locator("h1")).to_contain_text(name)
    else:
        expect(li.locator("#liaison-member-list")).to_contain_text("本组还没有委员")

    lead = page_for("leader")
    watch(lead, problems)
    figures = lead.locator("#dash-key-figures")
    expect(figures).to_contain_text("提案：办复率")
    expect(figures).to_contain_text("督办：红灯（超期）")
    shot(lead, SHOTS, "05-leader-home")

    city = page_for("citystaff")
    watch(city, problems)
    table = city.locator("#lower-queue-table")
    expect(table).to_contain_text("青川县政协")
    expect(table).to_contain_text("合计")
    shot(city, SHOTS, "06-city-home")
    assert problems == []
