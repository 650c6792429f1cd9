"""委员为民服务超市 in the browser: a citizen on a phone, without an account, opens a studio's page (what its
QR poster opens), sees today's member on duty, books that member's service (a refused form keeps what was
typed) and gets a booking code; member1 (desktop) finds the booking in 我的工作室, accepts it and records
what was done; the citizen then sees 已服务 by the code, and the service is in member1's duty records.

Screenshots go to test-results/e2e/studios/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "studios"


def test_citizen_books_and_member_accepts_and_records(phone_page, page_for, e2e_site):
    problems = []
    ((studio_id, studio_name),) = e2e_site.sql(
        "select s.id, s.name from studios_studio s join studios_studio_members sm on sm.studio_id = s.id "
        "join members_member m on m.id = sm.member_id join core_user u on u.id = m.user_id "
        "where u.username = 'member1' and s.active order by s.id limit 1"
    )
    ((offer_id, offer_title, m1_name),) = e2e_site.sql(
        "select o.id, o.title, m.name from studios_serviceoffer o join members_member m on m.id = o.member_id "
        "join core_user u on u.id = m.user_id where u.username = 'member1' and o.active and o.studio_id = ? "
        "order by o.id limit 1",
        (studio_id,),
    )

    # --- the citizen, on a phone, no account: the studio's page, today's member on duty, the service.
    p = phone_page
    watch(p, problems)
    p.goto(f"/studios/public/studio/{studio_id}/")
    expect(p.locator("h1")).to_have_text(studio_name)
    expect(p.locator("#on-duty")).to_contain_text(m1_name)
    expect(p.locator("#leave-message")).to_have_attribute(
        "href", re.compile(rf"/p/[^/]+/studio/{studio_id}/$")
    )
    shot(p, SHOTS, "01-public-studio-phone")
    p.get_by_role("link", name=offer_title).first.click()
    p.wait_for_load_state()
    expect(p).to_have_url(re.compile(rf"/studios/public/service/{offer_id}/$"))
    # A wrong phone and no consent: refused in Chinese, what was typed stays.
    p.fill("#id_name", "王女士")
    p.fill("#id_phone", "12345")
    p.fill("#id_note", "公司拖欠工资三个月，想咨询怎么维权。")
    p.click("#booking-form button[type=submit]")
    p.wait_for_load_state()
    expect(p.locator("#booking-form")).to_contain_text("请填写正确的11位手机号")
    expect(p.locator("#booking-form")).to_contain_text("请阅读并同意个人信息使用说明")
    expect(p.locator("#id_note")).to_have_value("公司拖欠工资三个月，想咨询怎么维权。")
    p.fill("#id_phone", "13912345678")
    p.fill("#id_preferred_time", "本周六上午")
    p.check("#id_consent")
    shot(p, SHOTS, "02-booking-form-phone")
    p.click("#booking-form button[type=submit]")
    p.wait_for_load_state()
    code = p.locator("#booking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    shot(p, SHOTS, "03-booked-phone")

    # --- member1: the booking waits in 我的工作室; accept it, then record what was done.
    m1 = page_for("member1")
    watch(m1, problems)
    m1.goto("/studios/mine/")
    row = m1.locator("#my-bookings tr").filter(has_text="王女士").filter(has_text="本周六上午")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待受理")
    shot(m1, SHOTS, "04-member-mine")
    row.get_by_role("link", name=offer_title).click()
    m1.wait_for_load_state()
    expect(m1.locator("#booking-phone")).to_have_text("13912345678")
    m1.fill("#answer-form #id_reason", "周六上午九点在工作室等您，请带上劳动合同。")
    m1.click("#btn-accept")
    m1.wait_for_load_state()
    expect(m1.locator("#booking-status")).to_have_text("已接受")
    m1.fill("#record-form #id_summary", "当面解答劳动争议问题，建议先申请劳动仲裁。")
    m1.fill("#record-form #id_people_served", "1")
    shot(m1, SHOTS, "05-member-record")
    m1.click("#btn-record")
    m1.wait_for_load_state()
    expect(m1.locator("#booking-status")).to_have_text("已服务")
    expect(m1.locator("#messages")).to_contain_text("计入履职记录")

    # --- the citizen follows it by the code.
    p.goto("/studios/public/booking/")
    p.fill("#id_code", code.lower())
    p.click("form button[type=submit]")
    p.wait_for_load_state()
    expect(p.locator("#booking-status")).to_contain_text("已服务")
    expect(p.locator("#booking-status")).to_contain_text("周六上午九点在工作室等您")
    shot(p, SHOTS, "06-citizen-track-phone")

    (n,) = e2e_site.sql(
        "select count(*) from performance_dutyrecord d join studios_servicerecord r on d.source_id = cast(r.id as text) "
        "join studios_booking b on b.id = r.booking_id where b.code = ? and d.act = 'public_service' and not d.voided",
        (code,),
    )[0]
    assert n == 1
    assert not problems, problems


def test_office_plans_the_rota_and_prints_a_poster(page_for, e2e_site):
    problems = []
    office = page_for("office")
    watch(office, problems)
    office.goto("/studios/")
    expect(office.locator("#year-sentence")).to_contain_text("委员工作室")
    expect(office.locator("#year-sentence")).to_contain_text("委员线上值班")
    row = office.locator("#studio-table tbody tr").filter(has_text="城关镇委员工作室")
    expect(row).to_have_count(1)
    shot(office, SHOTS, "07-office-list")
    row.get_by_role("link", name="排班").click()
    office.wait_for_load_state()
    office.click("text=下月")
    office.wait_for_load_state()
    boxes = office.locator("#rota-table input[type=checkbox]")
    first = boxes.first
    was = first.is_checked()
    first.set_checked(not was)
    shot(office, SHOTS, "08-office-rota")
    office.click("#save-rota")
    office.wait_for_load_state()
    expect(office.locator("#messages")).to_contain_text("排班已保存")
    expect(office.locator("#rota-table input[type=checkbox]").first).to_be_checked(checked=not was)
    with office.expect_download() as dl:
        office.goto("/studios/")
        office.click("#export-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")
    r = office.request.get("/studios/posters/organisation.pdf")
    assert r.status == 200 and r.body().startswith(b"%PDF")
    assert not problems, problems
