"""重点工作 in the browser, across roles:

1. the 办公室 adds a task with two milestones (a milestone after the deadline is refused, what was typed
   stays) for 李晓梅 (staff) under 分管领导 陈志远;
2. 李晓梅, on a phone, reports 40% and ticks the first milestone (small check boxes under their heading);
   going back to 20% without a reason is refused; the task is behind the 序时进度 and lights red;
3. the leader's board draws its chart and lists the task among the lagging ones; the list exports the
   .xlsx and the .docx 进度通报.

Screenshots go to test-results/e2e/keytasks/.
"""

import datetime

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "keytasks"
TITLE = "浏览器测试：编印年度调研成果汇编"


def test_office_sets_a_task_owner_reports_on_a_phone_leader_sees_the_board(e2e_site, page_for):
    problems = []
    year = datetime.date.today().year

    # --- 1. the office adds the task.
    o = page_for("office")
    watch(o, problems)
    o.goto("/keytasks/")
    o.click("#keytask-new")
    o.wait_for_load_state()
    o.fill("#id_category", "浏览器测试类")
    o.fill("#id_title", TITLE)
    o.select_option("#id_owner", label="李晓梅")
    o.select_option("#id_leader", label="陈志远")
    o.fill("#id_starts_on", f"{year}-01-01")
    o.fill("#id_due_on", f"{year}-12-31")
    o.fill("input[name=m_title_0]", "收集调研报告")
    o.fill("input[name=m_due_0]", f"{year}-06-30")
    o.fill("input[name=m_title_1]", "编印成册")
    o.fill("input[name=m_due_1]", f"{year + 1}-03-01")
    o.locator("#keytask-form button[type=submit]").click()
    o.wait_for_load_state()
    expect(o.locator("#milestone-error")).to_contain_text("须在任务的开始日期与完成时限之间")
    expect(o.locator("#id_title")).to_have_value(TITLE)
    o.fill("input[name=m_due_1]", f"{year}-12-20")
    o.locator("#keytask-form button[type=submit]").click()
    o.wait_for_load_state()
    expect(o.locator("h1")).to_contain_text(TITLE)
    task_url = o.url

    # --- 2. the owner reports on a phone.
    s = page_for("staff", phone=True)
    watch(s, problems)
    s.goto(task_url)
    s.fill("#id_percent", "40")
    s.fill("#id_note", "已收集部分调研报告。")
    box = s.locator("#id_milestones_done_0").bounding_box()
    assert box["width"] < 40, box  # a check box, not a bar across the page
    expect(s.locator("#keytask-report").get_by_text("收集调研报告（06-30）")).to_be_visible()
    s.get_by_label("收集调研报告（06-30）").check()
    s.locator("#keytask-report button[type=submit]").click()
    s.wait_for_load_state()
    expect(s.locator("#keytask-percent")).to_contain_text("40%")
    expect(s.locator("#keytask-milestones li").first).to_contain_text("完成")
    s.fill("#id_percent", "20")
    s.fill("#id_note", "重新核对。")
    s.locator("#keytask-report button[type=submit]").click()
    s.wait_for_load_state()
    expect(s.locator("#keytask-report")).to_contain_text("请说明回退原因")
    expect(s.locator("#keytask-reports li")).to_have_count(1)
    shot(s, SHOTS, "01-owner-phone")

    # --- 3. the leader's board; the exports.
    lead = page_for("leader")
    watch(lead, problems)
    lead.goto("/keytasks/board/")
    expect(lead.locator("[data-chart-source=keytask-board-chart] canvas").first).to_be_visible()
    expect(lead.locator("main")).to_contain_text(TITLE)
    shot(lead, SHOTS, "02-board")
    o.goto("/keytasks/")
    with o.expect_download() as xlsx:
        o.click("#keytask-xlsx")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with o.expect_download() as bulletin:
        o.click("#keytask-docx")
    assert bulletin.value.suggested_filename.endswith("进度通报.docx")

    assert not [p for p in problems if not p.startswith("console: Failed to load resource")], problems
