"""A proposal in the browser, from draft to 办结: member1 drafts and submits; staff accept it and assign it
to 县教育局; handler1 acknowledges and replies with a PDF letter; member1 rates it 满意; staff close it.

Screenshots of the main pages (desktop and phone) are written to test-results/e2e/proposals/ for a look.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "proposals"  # test-results/e2e/proposals/

TITLE = "关于在乡村小学开设课后托管服务的提案"


def confirm_submit_steps(page):
    """After 提交: go on past the similar-proposals and one-matter questions, if asked."""
    for _ in range(3):
        button = page.locator("#btn-confirm-submit")
        if not re.search(r"/proposals/\d+/submit/$", page.url) or button.count() == 0:
            return
        button.click()
        page.wait_for_load_state()


def test_proposal_from_draft_to_closed(page_for, e2e_site, tmp_path):
    problems = []

    # --- member1 drafts: a missing field is refused in Chinese and what was typed stays.
    m1 = page_for("member1")
    watch(m1, problems)
    m1.goto("/proposals/new/")
    m1.fill("#id_title", TITLE)
    m1.fill("#id_reasons", "我县乡村小学放学时间早，家长务工无法按时接送，学生放学后无人看护，存在安全隐患。")
    m1.click("#btn-save")
    expect(m1.locator("#proposal-form")).to_contain_text("请填写办法")
    expect(m1.locator("#id_title")).to_have_value(TITLE)
    m1.select_option("#id_category", "科教文卫")
    m1.fill(
        "#id_suggestions",
        "一是由教育部门统筹在乡村小学开设课后托管服务；二是落实托管经费保障；三是配齐看护教师。",
    )
    m1.fill("#id_research_note", "走访了三所乡村小学，召开家长座谈会两次。")
    # Similar proposals appear while typing the title (htmx).
    m1.fill("#id_title", "")
    m1.type("#id_title", "关于乡村小学课后托管服务的提案", delay=20)
    expect(m1.locator("#similar")).not_to_be_empty()
    m1.fill("#id_title", TITLE)
    shot(m1, SHOTS, "01-member-draft-desktop")
    m1.click("#btn-submit")
    m1.wait_for_load_state()
    confirm_submit_steps(m1)
    expect(m1).to_have_url(re.compile(r"/proposals/\d+/$"))
    expect(m1.locator("#messages")).to_contain_text("提案已提交")
    pid = int(re.search(r"/proposals/(\d+)/", m1.url).group(1))
    expect(m1.locator("#proposal-title")).to_have_text(TITLE)

    # --- staff accept it and assign it to 县教育局.
    staff = page_for("staff")
    watch(staff, problems)
    staff.goto("/proposals/review/")
    expect(staff.locator("#review-queue")).to_contain_text(TITLE)
    shot(staff, SHOTS, "02-staff-review-queue")
    staff.goto(f"/proposals/{pid}/do/review/")
    staff.check("#id_decision_0")
    staff.select_option("#id_category", "科教文卫")
    shot(staff, SHOTS, "03-staff-review-form")
    staff.click("#btn-action-submit")
    expect(staff.locator("#messages")).to_contain_text("审查结论已保存")
    number = e2e_site.sql("select number from proposals_proposal where id = ?", (pid,))[0][0]
    assert number
    staff.click("#btn-assign")
    staff.select_option("#id_lead_unit", label="县教育局")
    staff.click("#btn-action-submit")
    expect(staff.locator("#messages")).to_contain_text("已交办")
    expect(staff.locator("#units")).to_contain_text("县教育局")

    # --- handler1 acknowledges, records a contact, replies with a PDF letter.
    h = page_for("handler1")
    watch(h, problems)
    h.goto("/proposals/inbox/")
    expect(h.locator("#handling-rows")).to_contain_text(TITLE)
    shot(h, SHOTS, "04-unit-inbox")
    h.goto(f"/proposals/{pid}/")
    h.click("#btn-acknowledge")
    expect(h.locator("#messages")).to_contain_text("已签收")
    h.click("#btn-contact")
    h.select_option("#id_method", "visit")
    h.fill("#id_summary", "到提案人单位当面沟通，听取意见。")
    h.click("#btn-action-submit")
    expect(h.locator("#messages")).to_contain_text("沟通情况已记录")
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    fake = tmp_path / "假答复函.pdf"
    fake.write_bytes(b"this is not a pdf")
    h.click("#btn-reply")
    h.check("#id_result_class_0")
    h.fill("#id_content", "已将乡村小学课后托管纳入今年民生实事，秋季学期起全面开设。")
    h.set_input_files("#id_letter", str(fake))
    h.click("#btn-action-submit")
    expect(h.locator("#action-form")).to_contain_text("文件类型不符")
    expect(h.locator("#id_content")).to_have_value(
        "已将乡村小学课后托管纳入今年民生实事，秋季学期起全面开设。"
    )
    h.set_input_files("#id_letter", str(letter))
    shot(h, SHOTS, "05-unit-reply-form")
    h.click("#btn-action-submit")
    expect(h.locator("#messages")).to_contain_text("答复已提交")

    # --- member1 (on a phone) sees the reply and rates it 满意.
    mp = page_for("member1", phone=True)
    watch(mp, problems)
    expect(mp.locator("#todos")).to_contain_text("待评价的提案答复")
    mp.goto(f"/proposals/{pid}/")
    expect(mp.locator("#replies")).to_contain_text("秋季学期起全面开设")
    expect(mp.locator("#replies")).to_contain_text("答复函")
    mp.check("#id_rating_0")
    mp.fill("#id_comment", "办理及时，很满意。")
    shot(mp, SHOTS, "06-member-rate-phone")
    mp.click("#btn-evaluate")
    expect(mp.locator("#messages")).to_contain_text("评价已提交")
    mp.goto("/proposals/mine/")
    expect(mp.locator(".proposal-table")).to_contain_text(TITLE)
    shot(mp, SHOTS, "07-member-mine-phone")

    # --- staff close it; the timeline shows every node.
    staff.goto(f"/proposals/{pid}/")
    staff.click("#btn-close")
    expect(staff.locator("#messages")).to_contain_text("提案已办结")
    expect(staff.locator("#timeline")).to_contain_text("办结")
    for label in ("提交提案", "立案", "交办", "签收", "答复", "满意"):
        expect(staff.locator("#timeline")).to_contain_text(label)
    shot(staff, SHOTS, "08-detail-closed-desktop")
    status = e2e_site.sql("select status from proposals_proposal where id = ?", (pid,))[0][0]
    assert status == "closed"

    # The statistics page and the leader's dashboard draw their charts.
    staff.goto("/proposals/stats/")
    expect(staff.locator("#stats-units")).to_contain_text("县教育局")
    expect(staff.locator("[data-chart-source='unit-bar'] canvas")).to_have_count(1)
    shot(staff, SHOTS, "09-stats")
    leader = page_for("leader")
    watch(leader, problems)
    leader.goto("/dashboard/")
    expect(leader.locator("[data-chart-source='status-bar'] canvas")).to_have_count(1)
    shot(leader, SHOTS, "10-dashboard")
    lp = page_for("leader", phone=True)
    lp.goto("/dashboard/")
    expect(lp.locator("[data-chart-source='class-pie'] canvas")).to_have_count(1)
    shot(lp, SHOTS, "11-dashboard-phone")
    assert problems == []


def test_list_export_and_compilation_download(page_for):
    staff = page_for("staff")
    staff.goto("/proposals/?status=assigned")
    shot(staff, SHOTS, "12-list-desktop")
    # Small exports (up to EXPORT_INLINE_MAX_ROWS rows) are the download itself, no progress page.
    with staff.expect_download() as dl:
        staff.click("#btn-export")
    assert dl.value.suggested_filename.endswith(".xlsx")
    staff.goto("/proposals/compilation/")
    staff.check("#id_format_0")
    with staff.expect_download() as dl:
        staff.click("#btn-compile")
    assert dl.value.suggested_filename.endswith("提案汇编.docx")
    staff.reload()  # the export is kept: listed among the recent ones
    expect(staff.locator("main")).to_contain_text("提案汇编（DOCX）")
    shot(staff, SHOTS, "13-compilation-done")
    phone = page_for("staff", phone=True)
    phone.goto("/proposals/")
    shot(phone, SHOTS, "14-list-phone")
