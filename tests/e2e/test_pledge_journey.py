"""履职承诺 (issue 15): member1 writes this year's pledge on a phone from the 一员一档, sees it set beside what
they did, and the office sees it in its list of pledges; the 一员一档 also names member1's 委员小组."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_member_writes_a_pledge_on_a_phone_and_staff_see_it(page_for):
    member = page_for("member1", phone=True)
    member.goto("/performance/me/")
    expect(member.locator("#member-places")).to_contain_text("组长")
    member.click("#pledge-edit")
    member.fill("#id_text", "")
    member.fill("#id_target_proposals", "-3")
    member.click("main form button[type=submit]")
    expect(member.locator("main")).to_contain_text("此项为必填项")
    expect(member.locator("main")).to_contain_text("不能小于 0")
    member.fill("#id_text", "今年提交提案不少于3件，参加活动不少于4次，报送社情民意2条。")
    member.fill("#id_target_proposals", "3")
    member.fill("#id_target_activities", "4")
    member.fill("#id_target_opinions", "2")
    member.click("main form button[type=submit]")
    expect(member.locator("#pledge-text")).to_contain_text("今年提交提案不少于3件")
    expect(member.locator("#pledge-progress")).to_contain_text("≥3 件")
    assert member.evaluate("() => document.documentElement.scrollWidth") <= 376

    staff = page_for("office")
    staff.goto("/manage/pledges/?status=pledged&q=张明华")
    expect(staff.locator("#pledges")).to_contain_text("张明华")
    expect(staff.locator("#pledges")).to_contain_text("今年提交提案不少于3件")
    expect(staff.locator("#pledges")).to_contain_text("/ 3 件")
