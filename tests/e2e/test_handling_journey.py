"""The handling spine in the browser: a handler on a phone finds an unacknowledged proposal in the
承办工作台 (filtered to 未签收) and acknowledges it from its row; staff open the 督办台, see the red items by
unit, and remind the unit of one of them; the unit's handler is notified.

Screenshots go to test-results/e2e/handling/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "handling"
EDU = "县教育局"


def test_inbox_acknowledge_on_a_phone_and_board_reminder(e2e_site, page_for):
    problems = []
    # An item 县教育局 owes and has not acknowledged (the demo has some).
    pid, title = e2e_site.sql(
        "select p.id, p.title from proposals_proposal p join handling_assignment a on a.case_id = p.case_id "
        "join core_handlingunit h on h.id = a.unit_id where a.owes and a.is_active and a.acknowledged_at is null "
        "and h.name = ? order by p.id limit 1",
        (EDU,),
    )[0]

    # --- handler1 on a phone: the inbox, filtered to 未签收, then 签收 on the row.
    h = page_for("handler1", phone=True)
    watch(h, problems)
    h.goto("/")
    expect(h.locator("body")).to_contain_text("待签收的交办事项")
    h.goto("/handling/?status=unacknowledged")
    rows = h.locator("#handling-rows tbody tr")
    row = rows.filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("提案")
    shot(h, SHOTS, "01-inbox-phone")
    row.get_by_role("button", name="签收").click()
    h.wait_for_load_state()
    expect(h).to_have_url(re.compile(r"/handling/\?status=unacknowledged"))
    expect(h.locator("#messages")).to_contain_text("已签收")
    expect(h.locator("#handling-rows tbody tr").filter(has_text=title)).to_have_count(0)
    assert e2e_site.sql(
        "select count(*) from handling_assignment a join proposals_proposal p on p.case_id = a.case_id "
        "where p.id = ? and a.acknowledged_at is not null",
        (pid,),
    ) == [(1,)]

    # --- staff: the board by light and unit; remind one red item of 县教育局.
    s = page_for("staff")
    watch(s, problems)
    s.goto("/handling/board/")
    expect(s.locator("#board-units")).to_contain_text(EDU)
    expect(s.locator("#board-kinds")).to_contain_text("提案")
    shot(s, SHOTS, "02-board-desktop")
    s.select_option("#f-light", "red")
    s.click("#handling-filters button[type=submit]")
    s.wait_for_load_state()
    # Any red item (earlier journeys sharing this site may have answered 县教育局's): its unit's handlers are told.
    red = s.locator("#handling-rows tbody tr").filter(has=s.locator("input[type=checkbox]")).first
    expect(red).to_be_visible()
    red_title = red.locator("a").first.inner_text()
    red_unit = red.locator("td").nth(4).inner_text().split(" · ")[0].strip()
    red.locator("input[type=checkbox]").check()
    s.fill("#remind-form input[name=note]", "请本周内答复")
    s.click("#remind-form button[type=submit]")
    s.wait_for_load_state()
    expect(s.locator("#messages")).to_contain_text("已向 1 项事项的承办单位发送催办提醒")

    # --- the handler is told.
    told = e2e_site.sql(
        "select count(*) from core_notification n join core_user u on u.id = n.user_id "
        "join core_handlingunit h on h.id = u.handling_unit_id "
        "where h.name = ? and n.title like '【催办】%' and n.body like '请本周内答复%'",
        (red_unit,),
    )
    assert told[0][0] >= 1, (red_title, red_unit)
    assert problems == []
