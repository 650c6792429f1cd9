"""协商议事 in the browser, across roles:

1. member1, on a phone, finds the open 网络议政 from the workbench to-do, posts a comment and a reply
   (htmx: no full reload) and sees the counts move;
2. the office writes the outcome of a held consultation (two numbered recommendations, the first to
   县教育局), sends it (报送: the consultation is 成果已报送) and opens the 票评;
3. handler1 finds the recommendation in the one 承办工作台 and answers on the case page;
4. the office rates the answer 满意 (the recommendation is 已办结) and records its adoption;
5. member3, a standing member, votes on a phone (once).

Screenshots go to test-results/e2e/consultation/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "consultation"
EDU = "县教育局"


def test_member_comments_office_sends_outcome_unit_answers_standing_member_votes(e2e_site, page_for):
    problems = []
    hall = e2e_site.sql(
        "select c.id, c.title from consultation_consultation c join core_organisation o on o.id = c.organisation_id "
        "where o.code = 'demo-county' and c.form = 'online' and c.status = 'open' order by c.id limit 1"
    )
    held = e2e_site.sql(
        "select c.id, c.title from consultation_consultation c join core_organisation o on o.id = c.organisation_id "
        "where o.code = 'demo-county' and c.status = 'held' "
        "and not exists (select 1 from consultation_outcome x where x.consultation_id = c.id) order by c.id limit 1"
    )
    assert hall and held, "the demo has an open online hall and a held consultation without an outcome"
    hall_id, hall_title = hall[0]
    held_id, held_title = held[0]

    # --- 1. member1 on a phone: the to-do leads to the hall; a comment and a reply.
    m = page_for("member1", phone=True)
    watch(m, problems)
    m.goto("/")
    m.get_by_text("正在进行的网络议政").first.click()
    m.wait_for_load_state()
    expect(m.locator("#hall-title")).to_contain_text(hall_title[:8])
    expect(m.locator("#hall-state")).to_contain_text("进行中")
    before = int(m.locator("#hall-comment-count").inner_text().strip().replace(",", ""))
    m.fill(
        "#comment-form textarea[name=content]", "建议在老城区试行错时共享停车，机关单位夜间向居民开放停车场。"
    )
    m.click("#btn-comment")
    thread = m.locator("#threads").get_by_text("错时共享停车")
    expect(thread).to_be_visible()
    expect(m.locator("#hall-comment-count")).to_have_text(re.compile(rf"{before + 1:,}|{before + 1}"))
    shot(m, SHOTS, "01-hall-comment-phone")

    # --- 2. the office writes the outcome of a held consultation and sends it.
    o = page_for("office")
    watch(o, problems)
    o.goto(f"/consultation/{held_id}/")
    expect(o.locator("#consultation-title")).to_contain_text(held_title[:8])
    o.click("#outcome-write")
    o.wait_for_load_state()
    o.fill("#id_summary", "与会委员围绕议题深入协商，形成以下建议。")
    o.fill("#rec-content-1", "建议设立专项资金，分三年完成城区学校改扩建。")
    o.select_option("#rec-unit-1", label=EDU)
    o.fill("#rec-content-2", "建议建立部门联席会议制度，定期通报进展。")
    o.click("#btn-save")
    o.wait_for_load_state()
    expect(o.locator("#outcome-status")).to_contain_text("草拟")
    o.click("#btn-send")
    o.wait_for_load_state()
    expect(o.locator("#outcome-status")).to_contain_text("已报送")
    expect(o.locator("#recommendations")).to_contain_text(EDU)
    o.click("#btn-vote-open")
    o.wait_for_load_state()
    expect(o.locator("#vote")).to_contain_text("票评进行中")
    outcome_url = o.url
    shot(o, SHOTS, "02-outcome-sent")
    o.goto(f"/consultation/{held_id}/")
    expect(o.locator("#consultation-status")).to_contain_text("成果已报送")

    # --- 3. handler1: the recommendation in the one inbox; the answer on the case page.
    h = page_for("handler1")
    watch(h, problems)
    h.goto("/handling/")
    row = h.locator("#handling-rows tbody tr").filter(has_text=held_title[:6]).filter(has_text="第1条")
    expect(row.first).to_be_visible()
    row.first.locator("a").first.click()
    h.wait_for_load_state()
    expect(h.locator("#case-source")).to_contain_text(held_title[:8])
    h.fill("#reply textarea[name=content]", "已列入明年预算，首批两所学校年内开工。")
    h.click("#btn-reply")
    h.wait_for_load_state()
    expect(h.locator("#case-status")).to_contain_text("已答复")
    case_url = h.url
    shot(h, SHOTS, "03-unit-replied")

    # --- 4. the office rates 满意 and records the adoption.
    o.goto(case_url)
    o.locator("#rate input[name=rating][value=satisfied]").check()
    o.click("#btn-rate")
    o.wait_for_load_state()
    expect(o.locator("#case-status")).to_contain_text("办结")
    o.goto(outcome_url)
    first = o.locator("#recommendations [id^='rec-']").filter(has_text="分三年完成").first
    expect(first).to_contain_text("已办结")
    first.locator("select[name=adoption]").select_option("adopted")
    first.get_by_role("button", name="登记采纳").click()
    o.wait_for_load_state()
    expect(o.locator("#recommendations")).to_contain_text("已采纳")

    # --- 5. member3 (常委) votes on a phone, once.
    v = page_for("member3", phone=True)
    watch(v, problems)
    v.goto(outcome_url)
    v.click("#vote-link")
    v.wait_for_load_state()
    v.get_by_role("button", name="较好").click()
    v.wait_for_load_state()
    expect(v.locator("#vote-done")).to_contain_text("较好")
    shot(v, SHOTS, "04-voted-phone")

    assert not [p for p in problems if not p.startswith("console: Failed to load resource")], problems
