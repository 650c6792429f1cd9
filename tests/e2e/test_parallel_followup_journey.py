"""分办 and 跟踪落实 in the browser.

a) staff assign an accepted demo proposal 分办 to 县教育局 and 县住房和城乡建设局; handler1 and handler2 each
   reply with a PDF letter; the proposer (on a phone) sees both replies, rates one unit's reply, then the
   other; staff close the case.
b) handler1 replies B类 to a proposal 县教育局 is handling: a follow-up opens; handler1 reports progress with
   a planned date, then reports the work done; staff confirm it from the 落实台账; the proposer sees it.

The proposals are the demo's (found with SQL on the server's own database copy), so each journey starts
from the state a real user would meet. Screenshots go to test-results/e2e/parallel/.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "parallel"  # test-results/e2e/parallel/

EDU, HOUSING = "县教育局", "县住房和城乡建设局"


def letter(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return str(path)


def reply(page, pid, result_class, content, letter_path):
    page.goto(f"/proposals/{pid}/")
    page.click("#btn-reply")
    page.locator("#id_result_class input[type=radio]").nth("ABC".index(result_class)).check()
    page.fill("#id_content", content)
    page.set_input_files("#id_letter", letter_path)
    page.click("#btn-action-submit")
    expect(page.locator("#messages")).to_contain_text("答复已提交")


def test_parallel_units_reply_and_are_rated_one_by_one(e2e_site, page_for, phone_page, login, tmp_path):
    problems = []
    # An accepted proposal with one proposer (so that staff may close it once both replies are rated).
    pid, title, proposer = e2e_site.sql(
        "select p.id, p.title, u.username from proposals_proposal p join members_member m on m.id = p.lead_member_id "
        "join core_user u on u.id = m.user_id where p.status = 'accepted' and (select count(*) from "
        "proposals_signer s where s.proposal_id = p.id and s.status = 'agreed') = 1 "
        "order by u.username = 'member1' desc, p.id limit 1"
    )[0]

    # --- staff: 分办 to two units through the assign form.
    staff = page_for("staff")
    watch(staff, problems)
    staff.goto(f"/proposals/{pid}/")
    staff.click("#btn-assign")
    staff.get_by_label(re.compile("^分办")).check()
    staff.select_option("#id_lead_unit", label=EDU)
    # 分办 without another unit: refused in Chinese, the choice kept.
    staff.click("#btn-action-submit")
    expect(staff.locator("#action-form")).to_contain_text("分办请至少再选择一个分办单位")
    expect(staff.get_by_label(re.compile("^分办"))).to_be_checked()
    staff.select_option("#id_parallel_units", label=HOUSING)
    shot(staff, SHOTS, "01-staff-assign-parallel")
    staff.click("#btn-action-submit")
    expect(staff.locator("#messages")).to_contain_text("已交办")
    units = staff.locator("#units")
    expect(units).to_contain_text(EDU)
    expect(units).to_contain_text(HOUSING)
    expect(units.get_by_text("分办", exact=True)).to_have_count(2)
    expect(staff.locator("#timeline")).to_contain_text(f"交办：分办 {EDU}、{HOUSING}")

    # --- each unit replies for its part, with its signed letter.
    h1 = page_for("handler1")
    watch(h1, problems)
    reply(
        h1, pid, "A", "关于师资部分：已将相关建议纳入今年教育工作要点。", letter(tmp_path, "教育局答复函.pdf")
    )
    expect(h1.locator("#proposal-title")).to_have_text(title)
    expect(h1.locator("#timeline")).to_contain_text("分办 1/2 个单位已答复")
    expect(h1.locator("#btn-reply")).to_have_count(0)  # its part is answered
    h2 = page_for("handler2")
    watch(h2, problems)
    reply(h2, pid, "A", "关于场地部分：已在新建小区配套中统筹安排。", letter(tmp_path, "住建局答复函.pdf"))
    expect(h2.locator("#timeline")).to_contain_text("分办 2/2 个单位已答复")
    expect(h2.locator("#proposal-title")).to_have_text(title)

    # --- the proposer, on a phone, sees both replies and rates each unit's on its own.
    member = login(phone_page, proposer)
    watch(member, problems)
    member.goto(f"/proposals/{pid}/")
    replies = member.locator("#replies")
    expect(replies.locator(".reply")).to_have_count(2)
    expect(replies.locator(".reply", has_text=EDU)).to_contain_text("纳入今年教育工作要点")
    expect(replies.locator(".reply", has_text=HOUSING)).to_contain_text("在新建小区配套中统筹安排")
    expect(replies.locator(".reply", has_text=EDU).get_by_role("link", name="答复函")).to_be_visible()
    form = member.locator("#evaluate")
    expect(form).to_contain_text("评价哪个单位的答复")
    member.select_option(
        "#id_reply", member.locator("#id_reply option", has_text=HOUSING).get_attribute("value")
    )
    form.get_by_label("满意", exact=True).check()
    member.fill("#id_comment", "场地安排具体，满意。")
    shot(member, SHOTS, "02-member-rate-first-phone")
    member.click("#btn-evaluate")
    expect(member.locator("#messages")).to_contain_text("评价已提交")
    expect(replies.locator(".reply", has_text=HOUSING).locator(".evaluation")).to_contain_text("满意")
    expect(replies.locator(".reply", has_text=EDU).locator(".evaluation")).to_have_count(0)
    # One reply left: the form says whose it is.
    expect(form).to_contain_text(EDU)
    form.get_by_label("基本满意", exact=True).check()
    shot(member, SHOTS, "03-member-rate-second-phone")
    member.click("#btn-evaluate")
    expect(member.locator("#messages")).to_contain_text("评价已提交")
    expect(replies.locator(".reply", has_text=EDU).locator(".evaluation")).to_contain_text("基本满意")
    expect(member.locator("#evaluate")).to_have_count(0)

    # --- staff close the case.
    staff.goto(f"/proposals/{pid}/")
    staff.click("#btn-close")
    expect(staff.locator("#messages")).to_contain_text("提案已办结")
    expect(staff.locator("#timeline")).to_contain_text(f"评价（{HOUSING}的答复）：满意")
    expect(staff.locator("#timeline")).to_contain_text(f"评价（{EDU}的答复）：基本满意")
    assert e2e_site.sql("select status from proposals_proposal where id = ?", (pid,))[0][0] == "closed"
    assert problems == []


def test_b_reply_is_followed_up_until_the_office_confirms(e2e_site, page_for, tmp_path):
    problems = []
    # A proposal 县教育局 handles as the lead unit and has not answered yet.
    pid, title, proposer = e2e_site.sql(
        "select p.id, p.title, u.username from proposals_proposal p join members_member m on m.id = p.lead_member_id "
        "join core_user u on u.id = m.user_id join handling_assignment a on a.case_id = p.case_id "
        "join core_handlingunit h on h.id = a.unit_id where p.status = 'handling' and a.is_active and a.role = 'lead' "
        "and h.name = ? and not exists (select 1 from handling_reply r where r.case_id = p.case_id) "
        "order by u.username = 'member1' desc, p.id limit 1",
        (EDU,),
    )[0]
    planned = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()

    # --- handler1 replies B类: the proposal page shows the follow-up and leads to it.
    h = page_for("handler1")
    watch(h, problems)
    reply(h, pid, "B", "已列入明年工作计划，分两年逐步解决。", letter(tmp_path, "答复函.pdf"))
    box = h.locator("#followups")
    expect(box).to_contain_text(EDU)
    expect(box).to_contain_text("落实中")
    expect(box).to_contain_text("尚未报告落实进展")
    box.get_by_role("link", name="办理跟踪落实").click()
    expect(h.locator("h1")).to_have_text("跟踪落实")
    expect(h.locator("main")).to_contain_text(title)

    # --- a progress report with a planned date, then the report that the work is done.
    report = h.locator("#report-form")
    report.get_by_label("进展情况").fill("已完成选址和设计，资金已列入明年预算。")
    report.get_by_label("计划完成时间（可调整）").fill(planned)
    shot(h, SHOTS, "04-unit-followup-report")
    h.click("#btn-report")
    expect(h.locator("#messages")).to_contain_text("进展情况已报告")
    expect(h.locator("#followup-reports")).to_contain_text("已完成选址和设计")
    expect(h.locator("#followup-info")).to_contain_text(planned)
    expect(h.locator("#plan-form").get_by_label("计划完成时间")).to_have_value(planned)
    report.get_by_label("进展情况").fill("改造工程已全部完工并投入使用。")
    report.get_by_label(re.compile("^已落实")).check()
    h.click("#btn-report")
    expect(h.locator("#messages")).to_contain_text("已报告落实，等待提案委员会确认")
    expect(h.locator(".followup-status").first).to_have_text("已报落实待确认")
    expect(h.locator("#report-form")).to_have_count(0)

    # --- staff: the workbench asks to confirm; the ledger leads to it; confirmed.
    staff = page_for("staff")
    watch(staff, problems)
    staff.get_by_role("link", name=re.compile("待确认落实的B类提案")).click()
    row = staff.locator("#followup-table tbody tr", has_text=title).filter(has_text="已报落实待确认")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(EDU)
    shot(staff, SHOTS, "05-staff-ledger")
    row.get_by_role("link", name=title).click()
    expect(staff.locator("#followup-reports")).to_contain_text("改造工程已全部完工")
    staff.locator("#confirm-form").get_by_label("确认办结落实", exact=True).check()
    staff.click("#btn-confirm")
    expect(staff.locator("#messages")).to_contain_text("已确认")
    expect(staff.locator(".followup-status").first).to_have_text("已落实")
    expect(staff.locator("#followup-info")).to_contain_text("确认办结落实")

    # --- the proposer (on a phone) sees the outcome and every report on the proposal page.
    m = page_for(proposer, phone=True)
    watch(m, problems)
    m.goto(f"/proposals/{pid}/")
    box = m.locator("#followups")
    expect(box.locator(".followup-status")).to_have_text("已落实")
    expect(box).to_contain_text("已完成选址和设计")
    expect(box).to_contain_text("改造工程已全部完工")
    expect(box.get_by_role("link", name="办理跟踪落实")).to_have_count(0)
    expect(m.locator("#timeline")).to_contain_text(f"确认{EDU}办结落实")
    shot(m, SHOTS, "06-member-followup-phone")
    assert e2e_site.sql(
        "select f.status from handling_followup f join proposals_proposal p on p.case_id = f.case_id "
        "where p.id = ?",
        (pid,),
    ) == [("done",)]
    assert problems == []
