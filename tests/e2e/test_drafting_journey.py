"""撰写助手 in the browser. (1) member1 types a proposal with two matters and a title not in the 关于……的建议
form: the panel names both and lists an earlier proposal on the same matter with its rating; one click puts
the suggested title in; on 提交 the confirmation lists the two-matters warning; 仍然提交 submits it.
(2) A citizen on a phone types a 微建议 on the public page: the tips appear while typing (and a published
answer on the same matter); the suggestion is still sent.

Screenshots go to test-results/e2e/drafting/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "drafting"
TWO = "一、加快老旧小区改造，增设电梯。\n二、提高乡村教师待遇，补充音体美教师。"
REASONS = "据调查，城关镇有老旧小区23个、住户4100户，多数没有电梯；乡村学校音体美教师缺口约60人。"


def test_member_sees_advice_and_rated_earlier_proposals_fixes_the_title_and_submits(e2e_site, page_for):
    rows = e2e_site.sql(
        "SELECT p.title FROM proposals_proposal p JOIN handling_evaluation e ON e.case_id = p.case_id "
        "WHERE p.title LIKE '关于%的建议' ORDER BY p.id LIMIT 1"
    )
    assert rows, "the demo has rated proposals"
    earlier = rows[0][0]
    bad_title = earlier.removeprefix("关于").removesuffix("的建议")
    problems = []
    m1 = page_for("member1")
    watch(m1, problems)
    m1.goto("/proposals/new/")
    m1.select_option("#id_category", index=1)
    m1.fill("#id_reasons", REASONS)
    m1.fill("#id_suggestions", TWO)
    m1.locator("#id_title").press_sequentially(bad_title, delay=20)
    panel = m1.locator("#drafting-result")
    expect(panel.locator('[data-code="title_form"]')).to_be_visible(timeout=15000)
    expect(panel.locator('[data-code="two_matters"]')).to_be_visible()
    expect(panel.locator(".drafting-similar")).to_contain_text(earlier)
    expect(panel.locator(".drafting-similar .rating").first).to_have_text(re.compile("满意|基本满意|不满意"))
    shot(m1, SHOTS, "1-panel")
    panel.locator(".btn-fix").click()
    expect(m1.locator("#id_title")).to_have_value(f"关于{bad_title}的建议")
    expect(m1.locator('#drafting-result [data-code="title_form"]')).to_have_count(0, timeout=15000)
    m1.click("#btn-submit")
    expect(m1.locator("#advice-confirm")).to_contain_text("两件不同的事")
    shot(m1, SHOTS, "2-confirm")
    for _ in range(3):  # the confirmation (shown at /proposals/new/), then the 一事一案 one if asked
        button = m1.locator("#btn-confirm-submit")
        if button.count() == 0:
            break
        button.click()
        m1.wait_for_load_state()
    expect(m1.locator("body")).to_contain_text("已提交")
    assert not problems, problems


def test_citizen_on_a_phone_sees_tips_while_typing_and_still_sends(e2e_site, phone_page):
    rows = e2e_site.sql(
        "SELECT title, content FROM suggestions_suggestion WHERE published = 1 ORDER BY id LIMIT 1"
    )
    assert rows
    title, content = rows[0]
    citizen = phone_page
    watch(citizen, [])
    citizen.goto("/p/demo-county/")
    citizen.locator("#id_title").press_sequentially(title, delay=15)
    citizen.fill("#id_content", "")
    citizen.locator("#id_content").press_sequentially(content[:40], delay=10)
    result = citizen.locator("#check-result")
    expect(result.locator("#similar-answers")).to_contain_text(title, timeout=15000)
    shot(citizen, SHOTS, "3-public-tips")
    citizen.check("#id_consent")
    citizen.click("#btn-submit")
    expect(citizen.locator("#tracking-code")).to_have_text(re.compile(r"[A-Z2-9]{10}"))
