"""视察调研 in the browser, across roles:

1. the office creates an inspection topic (leader, member1 and member2), starts it and arranges a site
   visit (a meeting: the members get its notice);
2. member1, on a phone, finds the topic under 我的课题, records a finding with a photo, and has the report
   generated from the topic with two recommendations, naming themself as writer (执笔人);
3. the office sends the first recommendation to 县教育局;
4. handler1 finds it in the one 承办工作台 and answers on the case page;
5. the office rates the answer 满意 (the recommendation is 已办结) and closes the topic.

Screenshots go to test-results/e2e/research/.
"""

import datetime
import io

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "research"
EDU = "县教育局"
TITLE = "全县农贸市场提升改造"


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buf, format="JPEG")
    return buf.getvalue()


def test_office_arranges_member_reports_unit_answers(e2e_site, page_for):
    problems = []
    ids = dict(
        e2e_site.sql(
            "select u.username, m.id from members_member m join core_user u on u.id = m.user_id "
            "where u.username in ('member1', 'member2')"
        )
    )
    assert set(ids) == {"member1", "member2"}

    # --- 1. the office creates the topic, starts it and arranges a visit.
    o = page_for("office")
    watch(o, problems)
    o.goto("/research/")
    o.click("#research-new")
    o.wait_for_load_state()
    o.select_option("#id_kind", "inspection")
    o.fill("#id_title", TITLE)
    o.fill("#id_background", "了解农贸市场改造进度和食品安全管理情况。")
    o.select_option("#id_leader", label="陈志远")
    o.select_option("#id_members", [str(ids["member1"]), str(ids["member2"])])
    today = datetime.date.today()
    o.fill("#id_starts_on", today.isoformat())
    o.fill("#id_ends_on", (today + datetime.timedelta(days=20)).isoformat())
    o.fill("#id_sites", "城东农贸市场")
    o.click("#research-save")
    o.wait_for_load_state()
    expect(o.locator("#research-title")).to_contain_text(TITLE)
    expect(o.locator("#research-status")).to_contain_text("计划中")
    topic_url = o.url
    o.click("#research-start")
    o.wait_for_load_state()
    expect(o.locator("#research-status")).to_contain_text("进行中")
    o.locator("#visits summary").click()
    start = datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(9))
    o.fill("#visit_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    o.fill("#visit_ends_at", (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    o.fill("#visit_site", "城东农贸市场")
    o.locator("#visit-form button[type=submit]").click()
    o.wait_for_load_state()
    expect(o.locator("#research-visits")).to_contain_text("城东农贸市场")
    expect(o.locator("#research-visits")).to_contain_text("应到 2 人")
    shot(o, SHOTS, "01-topic-visit")

    # --- 2. member1 on a phone: 我的课题 → the topic; a finding with a photo; the generated report.
    m = page_for("member1", phone=True)
    watch(m, problems)
    m.goto("/research/mine/")
    m.locator("#research-rows").get_by_text(TITLE).click()
    m.wait_for_load_state()
    expect(m.locator("#research-title")).to_contain_text(TITLE)
    m.fill("#id_content", "市场排水沟堵塞，生鲜区地面湿滑。")
    m.set_input_files("#id_photo", {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    m.click("#finding-submit")
    m.wait_for_load_state()
    expect(m.locator("#research-findings")).to_contain_text("排水沟堵塞")
    expect(m.locator("#research-findings img.research-photo")).to_have_count(1)
    m.click("#tab-generate")
    m.fill("#gen_recommendations", "实施市场排水管网改造，年内完工。\n建立市场食品安全快检室。")
    m.locator(f"#report-generate-form input[name=writers][value='{ids['member1']}']").check()
    m.click("#report-generate-submit")
    m.wait_for_load_state()
    expect(m.locator("#research-status")).to_contain_text("已形成报告")
    expect(m.locator("#research-report")).to_contain_text(".docx")
    expect(m.locator("#research-writers")).to_contain_text("张明华")
    shot(m, SHOTS, "02-member-report-phone")

    # --- 3. the office sends the first recommendation to 县教育局.
    o.goto(topic_url)
    first = o.locator("#research-recs li").filter(has_text="排水管网改造").first
    first.locator("select[name=unit]").select_option(label=EDU)
    first.get_by_role("button", name="交办").click()
    o.wait_for_load_state()
    first = o.locator("#research-recs li").filter(has_text="排水管网改造").first
    expect(first).to_contain_text("已交办")
    expect(first).to_contain_text(EDU)

    # --- 4. handler1 answers from the one inbox.
    h = page_for("handler1")
    watch(h, problems)
    h.goto("/handling/")
    row = h.locator("#handling-rows tbody tr").filter(has_text=TITLE)
    expect(row.first).to_be_visible()
    row.first.locator("a").first.click()
    h.wait_for_load_state()
    h.fill("#reply textarea[name=content]", "已将排水管网改造列入年度计划，预计两个月内完工。")
    h.click("#btn-reply")
    h.wait_for_load_state()
    expect(h.locator("#case-status")).to_contain_text("已答复")
    case_url = h.url
    shot(h, SHOTS, "03-unit-replied")

    # --- 5. the office rates 满意 and closes the topic.
    o.goto(case_url)
    o.locator("#rate input[name=rating][value=satisfied]").check()
    o.click("#btn-rate")
    o.wait_for_load_state()
    expect(o.locator("#case-status")).to_contain_text("办结")
    o.goto(topic_url)
    expect(o.locator("#research-recs li").filter(has_text="排水管网改造").first).to_contain_text("已办结")
    o.click("#research-close")
    o.wait_for_load_state()
    expect(o.locator("#research-status")).to_contain_text("已办结")
    shot(o, SHOTS, "04-closed")

    assert not [p for p in problems if not p.startswith("console: Failed to load resource")], problems
