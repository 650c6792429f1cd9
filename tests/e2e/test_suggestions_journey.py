"""群众微建议 in the browser: a citizen on a phone scans the county's QR code (/p/demo-county/), leaves a
suggestion (a missing consent is refused in Chinese and the text stays), gets the tracking code; the
办公室 (office, desktop) finds it in the moderation queue, accepts it and routes it to 县教育局; handler1
answers it on the case page from the unit inbox; the citizen enters the code, reads the answer, rates it
满意 and sees 已办结.

Screenshots go to test-results/e2e/suggestions/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "suggestions"
TITLE = "城关二小门口人行横道线磨损"
TEXT = "城关二小门口的人行横道线已经磨得看不清，早上送孩子过马路很危险，建议尽快重新施划并设置减速带。"
ANSWER = "已会同交警部门于本周重新施划人行横道线，并在上下学时段安排护学岗。"


def test_citizen_suggests_office_routes_unit_answers_citizen_rates(phone_page, page_for):
    problems = []
    citizen = phone_page
    watch(citizen, [])  # the refused form answers 422 (expected); nothing else should fail
    citizen.goto("/p/demo-county/")
    expect(citizen.locator("header")).to_contain_text("青川县")
    citizen.fill("#id_title", TITLE)
    citizen.fill("#id_content", TEXT)
    citizen.fill("#id_phone", "13911112222")
    citizen.click("#btn-submit")
    expect(citizen.locator("#consent-error")).to_contain_text("同意")
    expect(citizen.locator("#id_content")).to_have_value(TEXT)
    citizen.check("#id_consent")
    citizen.click("#btn-submit")
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    shot(citizen, SHOTS, "1-code")

    office = page_for("office")
    watch(office, problems)
    office.goto("/suggestions/?status=received")
    office.get_by_role("link", name=TITLE).first.click()
    expect(office.locator("#suggestion-phone")).to_contain_text("13911112222")
    office.locator("#moderate input[value=accept]").check()
    office.click("#btn-moderate")
    expect(office.locator("#suggestion-status")).to_have_text("已受理")
    office.select_option("#route select[name=unit]", label="县教育局")
    office.click("#btn-route")
    expect(office.locator("#suggestion-status")).to_have_text("办理中")
    shot(office, SHOTS, "2-routed")

    handler = page_for("handler1")
    watch(handler, problems)
    handler.goto("/handling/?kind=public_suggestion")
    handler.get_by_role("link", name=TITLE).first.click()
    handler.locator("#reply textarea[name=content]").fill(ANSWER)
    handler.click("#btn-reply")
    expect(handler.locator("#case-status")).to_have_text("已答复")
    handler.click("#item-link")
    expect(handler.locator("#suggestion-phone")).to_contain_text("139****2222")

    citizen.goto("/p/track/")
    citizen.fill("#id_code", code.lower())
    citizen.click("#btn-track")
    expect(citizen.locator("#tracked-status")).to_have_text("已答复")
    expect(citizen.locator("#tracked-reply")).to_contain_text(ANSWER)
    citizen.get_by_label("满意", exact=True).check()
    citizen.click("#btn-rate")
    expect(citizen.locator("#tracked-status")).to_have_text("已办结")
    expect(citizen.locator("#tracked-rating")).to_contain_text("满意")
    shot(citizen, SHOTS, "3-rated")
    assert not problems, problems
