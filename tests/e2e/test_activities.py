"""Meetings in the browser: staff create a meeting and invite a sector (and one member found by search),
send the notice; member1 replies 参加, member2 asks for leave; staff approve it on the replies page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_meeting_invite_reply_leave_approve(page_for, e2e_site):
    problems = []
    sector = e2e_site.sql(
        "select s.name from members_sector s join members_member m on m.sector_id = s.id "
        "join core_user u on m.user_id = u.id where u.username = 'member1'"
    )[0][0]
    start = (datetime.datetime.now() + datetime.timedelta(days=3)).replace(hour=9, minute=0)

    staff = page_for("office")
    staff.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    staff.on("dialog", lambda d: d.accept())
    staff.goto("/activities/new/")
    staff.select_option("#id_kind", label="专委会会议")
    staff.fill("#id_title", "浏览器测试：专委会季度会议")
    staff.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_place", "县政协三楼会议室")
    staff.click("#btn-save")
    expect(staff).to_have_url(re.compile(r"/activities/\d+/invite/$"))
    meeting_id = int(re.search(r"/activities/(\d+)/", staff.url).group(1))

    # A whole sector, plus member2 found with the search box (htmx).
    staff.select_option("#id_sectors", label=sector)
    staff.fill("#member-q", "刘芳")
    box = staff.locator("#member-results label", has_text="刘芳").first
    expect(box).to_be_visible()
    box.click()
    staff.click("#btn-invite")
    expect(staff).to_have_url(re.compile(rf"/activities/{meeting_id}/replies/$"))
    expect(staff.locator("#messages")).to_contain_text("位委员")
    expect(staff.locator("#invitations")).to_contain_text("张明华")
    expect(staff.locator("#invitations")).to_contain_text("刘芳")

    staff.goto(f"/activities/{meeting_id}/")
    staff.get_by_role("button", name="发送通知").click()
    expect(staff.locator("#messages")).to_contain_text("发送会议通知")
    expect(staff.locator("#meeting-status")).to_have_text("已通知")

    # member1 replies 参加 (the notice is in the workbench to-dos).
    m1 = page_for("member1", phone=True)
    expect(m1.locator("#todos")).to_contain_text("待回复的会议通知")
    m1.goto(f"/activities/{meeting_id}/")
    m1.click("#btn-attend")
    expect(m1.locator("#messages")).to_contain_text("已回复参加")
    expect(m1.locator("#my-reply")).to_have_text("参加")

    # member2 asks for leave; an empty reason is refused first, in Chinese.
    m2 = page_for("member2")
    m2.goto(f"/activities/{meeting_id}/")
    m2.click("#btn-leave")
    m2.click("#btn-leave-submit")
    expect(m2.locator("#id_reason")).to_be_visible()
    m2.fill("#id_reason", "当天在市里出差")
    m2.click("#btn-leave-submit")
    expect(m2.locator("#messages")).to_contain_text("已提交请假申请")
    expect(m2.locator("#my-leave")).to_have_text("待审批")

    # Staff approve it from the replies list; the row updates in place.
    staff.goto(f"/activities/{meeting_id}/replies/?filter=leave_pending")
    row = staff.locator("#invitations tr", has_text="刘芳")
    expect(row).to_contain_text("当天在市里出差")
    row.get_by_role("button", name="同意", exact=True).click()
    expect(row).to_contain_text("已准假")
    # The counters above the list follow the row (out-of-band swap): no reload needed.
    expect(staff.locator("#count-leave-pending")).to_have_text("0")

    # Staff tick a member present by hand: the check-in counter moves at once.
    staff.goto(f"/activities/{meeting_id}/replies/")
    present = int(staff.locator("#count-present").inner_text())
    tick = staff.get_by_role("button", name=re.compile("^签到 ")).first
    tick.click()
    expect(staff.locator("#count-present")).to_have_text(str(present + 1))

    m2.goto(f"/activities/{meeting_id}/")
    expect(m2.locator("#my-leave")).to_have_text("已准假")
    rows = e2e_site.sql(
        "select i.leave_status from activities_invitation i join members_member m on i.member_id = m.id "
        "join core_user u on m.user_id = u.id where i.meeting_id = ? and u.username = 'member2'",
        (meeting_id,),
    )
    assert rows == [("approved",)]
    assert problems == []
