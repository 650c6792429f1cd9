"""协商议事 for the public (群众), who have no login, on a phone:

1. a citizen scans the open call's QR code (/p/<code>/topics/), sends an empty form (a Chinese message),
   then a topic; the office finds it among the candidate topics, marked 群众建言;
2. the citizen comments in the public 网络议政 hall: without consent the form refuses and keeps the text;
   with consent it thanks and says the comment waits for moderation, and the comment is not shown yet;
3. the office follows the workbench to-do 待审核的网络议政群众留言 to the hall's queue and approves it;
4. the citizen reloads the public hall and sees the comment.

Screenshots go to test-results/e2e/consultation-public/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "consultation-public"


def test_citizen_proposes_a_topic_and_comments_office_moderates(e2e_site, phone_page, page_for):
    problems = []
    calls = e2e_site.sql(
        "select t.id, t.year from consultation_topiccall t join core_organisation o on o.id = t.organisation_id "
        "where o.code = 'demo-county' and t.opens_on <= date('now', '+8 hours') "
        "and t.closes_on >= date('now', '+8 hours') order by t.id limit 1"
    )
    halls = e2e_site.sql(
        "select c.id, c.title from consultation_consultation c join core_organisation o on o.id = c.organisation_id "
        "where o.code = 'demo-county' and c.form = 'online' and c.status = 'open' and c.public "
        "order by c.id limit 1"
    )
    assert calls and halls, "the demo has an open call for topics and an open public online hall"
    call_id, call_year = calls[0]
    hall_id, hall_title = halls[0]

    # --- 1. the open call for topics.
    p = phone_page
    watch(p, problems)
    p.goto(f"/p/demo-county/topics/?call={call_id}")
    expect(p.locator("#call-info")).to_be_visible()
    p.click("#btn-submit")
    expect(p.locator("#title-error")).to_have_text("请填写建议的协商议题。")
    expect(p.locator("#consent-error")).to_be_visible()  # every problem at once
    title = "老旧小区加装电梯的费用分摊办法"
    p.fill("#id_title", title)
    p.fill("#id_reason", "加装电梯各楼层住户意见不一，费用分摊缺少统一办法，建议政协组织协商。")
    p.click("#btn-submit")
    if p.locator("#public-done").count() == 0:
        # The form asks for consent as well: tick it; what was typed is still there.
        expect(p.locator("#id_title")).to_have_value(title)
        p.check("#id_consent")
        p.click("#btn-submit")
    expect(p.locator("#public-done")).to_be_visible()
    shot(p, SHOTS, "01-topic-sent-phone")

    o = page_for("office")
    watch(o, problems)
    o.goto(f"/consultation/topics/?year={call_year}&q=加装电梯")
    expect(o.locator("main")).to_contain_text(title)
    expect(o.locator("main")).to_contain_text("群众建言")
    # A row's 归类 / 排序 / ✓ stay one line: the 归类 count ("N / 50 字") goes under the row, not between the
    # field and the button as a column of three lines (phone.js).
    arrange = o.locator("form[action$='/arrange/']").first
    expect(arrange.locator("input[name=group_label]")).to_have_attribute("data-autocount", re.compile(".+"))
    assert arrange.bounding_box()["height"] < 45, arrange.bounding_box()

    # --- 2. a comment in the public hall.
    p.goto(f"/p/demo-county/consult/{hall_id}/")
    expect(p.locator("#public-hall")).to_contain_text(hall_title[:8])
    comment = "建议把公交站台的遮雨棚延长到人行道，雨天老人候车更安全。"
    p.fill("#id_content", comment)
    p.fill("#id_name", "市民老周")
    p.click("#btn-submit")
    expect(p.locator("#consent-error")).to_be_visible()
    expect(p.locator("#id_content")).to_have_value(comment)
    p.check("#id_consent")
    p.click("#btn-submit")
    expect(p.locator("#public-done")).to_contain_text("审核后显示")
    expect(p.locator("main")).not_to_contain_text("遮雨棚延长")
    shot(p, SHOTS, "02-comment-waiting-phone")

    # --- 3. the office approves it from the workbench to-do.
    o.goto("/")
    o.get_by_text("待审核的网络议政群众留言").first.click()
    o.wait_for_load_state()
    item = o.locator("#hall-queue > div", has_text="遮雨棚延长").first
    expect(item).to_be_visible()
    item.get_by_role("button", name="通过").click()
    o.wait_for_load_state()
    expect(o.locator("#hall-queue")).not_to_contain_text("遮雨棚延长")
    shot(o, SHOTS, "03-office-approved")

    # --- 4. the citizen sees it.
    p.goto(f"/p/demo-county/consult/{hall_id}/")
    expect(p.locator("main")).to_contain_text("遮雨棚延长")
    expect(p.locator("main")).to_contain_text("市民老周")
    shot(p, SHOTS, "04-comment-shown-phone")

    assert not problems, problems
