"""界别召集人 / 委员小组 pickers are searchable (#15): a committee has hundreds of members, so on a phone (375 px) the
office types part of a name into the 组长, 成员 and 召集人 boxes (Tom Select, app.js) and picks from what matches;
each box says what to type, and the saved group and conveners show on 界别召集人与委员小组."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _box(page, field):
    return page.locator(f"#id_{field}-ts-control")


def _search(page, field, text):
    _box(page, field).locator("xpath=..").click()
    _box(page, field).fill(text)
    return page.locator(f"#id_{field}-ts-dropdown .option")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_office_searches_members_for_a_group_and_conveners_on_a_phone(e2e_site, page_for):
    rows = e2e_site.sql(
        "select m.name, s.id, s.name from members_member m join core_organisation o on o.id = m.organisation_id "
        "join members_sector s on s.id = m.sector_id where o.code = 'demo-county' and m.status = 'active' "
        "order by m.id desc limit 3"
    )
    (leader, _, _), (first, _, _), (convener, sector_id, sector) = rows
    page = page_for("staff", phone=True)
    page.goto("/manage/groups/new/")
    page.get_by_label("小组名称").fill("搜索测试委员小组")
    expect(_box(page, "members")).to_have_attribute("placeholder", "输入姓名搜索委员，可多选")
    options = _search(page, "leader", leader)
    expect(options.first).to_contain_text(leader)
    options.first.click()
    options = _search(page, "members", first)
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(first)
    options.first.click()
    assert _search(page, "members", "不存在的姓名").count() == 0
    expect(page.locator("#id_members-ts-dropdown")).to_contain_text("没有匹配的选项")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    row = page.locator("#groups tbody tr").filter(has_text="搜索测试委员小组")
    expect(row).to_contain_text(leader)
    expect(row).to_contain_text("2 人")

    page.goto(f"/manage/sectors/{sector_id}/conveners/")
    expect(_box(page, "members")).to_have_attribute("placeholder", "输入姓名搜索本界别委员")
    options = _search(page, "members", convener)
    expect(options.first).to_contain_text(convener)
    options.first.click()
    _no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#conveners tbody tr").filter(has_text=sector)).to_contain_text(convener)
