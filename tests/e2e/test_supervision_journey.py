"""委派民主监督 in the browser, across roles:

1. the office opens a 票决 of two candidate units (县教育局, 县卫生健康局) for one place;
2. member3, a standing member, finds it from the workbench to-do on a phone and votes (once);
3. the office enters the paper result, closes the vote (valid, 县教育局 chosen) and forms the group from
   the chosen unit (leader member2, member member1);
4. member1, on a phone, adds a rectification item with a photo: it is routed to 县教育局;
5. handler1 finds it in the one 承办工作台 and answers on the case page;
6. member1 confirms the rectification (已整改); member1 and member2 rate the unit;
7. the office ends the rating and closes the group.

Screenshots go to test-results/e2e/supervision/.
"""

import io
import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "supervision"
EDU = "县教育局"
TITLE = "浏览器测试县教育局专项监督小组"
ASPECTS = 4


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buf, "PNG")
    return buf.getvalue()


def test_vote_group_rectification_rating(e2e_site, page_for):
    problems = []

    # --- 1. the office opens the vote.
    o = page_for("office")
    watch(o, problems)
    o.goto("/supervision/votes/new/")
    o.fill("#id_title", "浏览器测试补充票决")
    o.fill("#id_choose", "1")
    o.select_option("#c-unit-0", label=EDU)
    o.fill("#c-reason-0", "群众关注学校布局调整。")
    o.select_option("#c-unit-1", label="县卫生健康局")
    o.fill("#c-reason-1", "基层医疗服务能力提升。")
    o.click("#btn-open-vote")
    o.wait_for_load_state()
    expect(o.locator("#vote-title")).to_contain_text("浏览器测试补充票决")
    expect(o.locator("#vote-status")).to_contain_text("投票中")
    vote_url = o.url

    # --- 2. member3 (常委) votes on a phone from the to-do.
    v = page_for("member3", phone=True)
    watch(v, problems)
    v.goto("/")
    v.get_by_text("待参加的民主监督票决").first.click()
    v.wait_for_load_state()
    v.get_by_role("link", name="浏览器测试补充票决").click()
    v.wait_for_load_state()
    v.locator("#ballot-form").get_by_label(EDU).check()
    v.click("#btn-ballot")
    v.wait_for_load_state()
    expect(v.locator("#vote-done")).to_contain_text(EDU)
    expect(v.locator("#ballot-form")).to_have_count(0)
    shot(v, SHOTS, "01-voted-phone")

    # --- 3. the office: paper result, close, form the group from the chosen unit.
    o.goto(vote_url)
    o.fill("#paper-voters", "2")
    o.locator("#paper-form").get_by_label(EDU).fill("2")
    o.locator("#paper-form").get_by_role("button").click()
    o.wait_for_load_state()
    expect(o.locator("#vote-turnout")).to_contain_text("含纸质投票2人")
    o.click("#btn-vote-close")
    o.wait_for_load_state()
    expect(o.locator("#vote-status")).to_contain_text("有效")
    expect(o.locator("#vote-chosen")).to_contain_text(EDU)
    expect(o.locator("[data-chart-source=vote-chart] canvas").first).to_be_visible()
    shot(o, SHOTS, "02-vote-closed")
    o.locator("#vote-chosen").get_by_role("link", name="组建监督小组").click()
    o.wait_for_load_state()
    expect(o.locator("#id_unit_id option:checked")).to_have_text(EDU)
    o.fill("#id_title", TITLE)
    o.select_option(
        "#id_leader_member_id",
        o.locator("#id_leader_member_id option", has_text="刘芳").first.get_attribute("value"),
    )
    o.select_option(
        "#id_member_ids", o.locator("#id_member_ids option", has_text="张明华").first.get_attribute("value")
    )
    o.click("#btn-save")
    o.wait_for_load_state()
    expect(o.locator("#supervision-title")).to_contain_text(TITLE)
    expect(o.locator("#supervision-members")).to_contain_text("张明华")
    group_url = o.url

    # --- 4. member1 on a phone adds a rectification item with a photo.
    m = page_for("member1", phone=True)
    watch(m, problems)
    m.goto(group_url)
    m.select_option("#id_list", "rectification")
    m.fill("#id_content", "校门口上下学时段交通拥堵，请设置临时停车区。")
    m.set_input_files("#id_evidence", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}])
    m.click("#btn-add-item")
    m.wait_for_load_state()
    rect = m.locator("#list-rectification")
    expect(rect).to_contain_text("临时停车区")
    expect(rect).to_contain_text("整改中")
    expect(rect).to_contain_text("现场.png")
    shot(m, SHOTS, "03-item-phone")

    # --- 5. handler1 answers in the one inbox, whose row says what to rectify.
    h = page_for("handler1")
    watch(h, problems)
    h.goto("/handling/")
    row = h.locator("#handling-rows tbody tr").filter(has_text="校门口上下学时段交通拥堵")
    expect(row.first).to_be_visible()
    row.first.locator("a").first.click()
    h.wait_for_load_state()
    h.fill("#reply textarea[name=content]", "已在校门口设置临时停车区并安排交警疏导。")
    h.click("#btn-reply")
    h.wait_for_load_state()
    expect(h.locator("#case-status")).to_contain_text("已答复")
    shot(h, SHOTS, "04-unit-replied")

    # --- 6. member1 confirms and rates; member2 rates.
    m.goto(group_url)
    expect(rect).to_contain_text("待确认")
    m.locator(".confirm-form input[value=yes]").check()
    m.locator(".confirm-form").get_by_role("button", name="提交确认").click()
    m.wait_for_load_state()
    expect(m.locator("#list-rectification")).to_contain_text("已整改")
    for i in range(ASPECTS):
        m.locator(f"#rating-form input[name=aspect_{i}][value=satisfied]").check()
    m.click("#btn-rate")
    m.wait_for_load_state()
    expect(m.locator("#rating-table")).to_contain_text("满意")
    l2 = page_for("member2")
    watch(l2, problems)
    l2.goto(group_url)
    for i in range(ASPECTS):
        l2.locator(f"#rating-form input[name=aspect_{i}][value=basically_satisfied]").check()
    l2.click("#btn-rate")
    l2.wait_for_load_state()
    expect(l2.locator("#rating-valid")).to_have_text("有效")
    expect(l2.locator("[data-chart-source=rating-chart] canvas").first).to_be_visible()
    shot(l2, SHOTS, "05-rated")

    # --- 7. the office ends the rating and closes the group.
    o.goto(group_url)
    o.click("#btn-finish")
    o.wait_for_load_state()
    expect(o.locator("#supervision-status")).to_have_text("已评议")
    o.click("#btn-close")
    o.wait_for_load_state()
    expect(o.locator("#supervision-status")).to_have_text("已结束")
    shot(o, SHOTS, "06-closed")
    credited = e2e_site.sql(
        "select count(*) from performance_dutyrecord where act = 'supervision' and source_id = ?",
        (re.search(r"/supervision/(\d+)/", group_url).group(1),),
    )
    assert credited[0][0] == 2

    assert not [p for p in problems if not p.startswith("console: Failed to load resource")], problems
