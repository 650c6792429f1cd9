"""A city's 全部提案 with hundreds of handling units (#13, #15): the 承办单位 filter is a searchable box
(core.pickers, Tom Select in app.js) that asks the server for what matches; the office types two characters,
picks the unit, filters, and the page after the filter shows the unit chosen — at 1280 px and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot

pytestmark = pytest.mark.e2e


def _many_units(e2e_site):
    """200 more units in the city (more than core.pickers.SMALL, so the box is the remote one)."""
    if not e2e_site.sql("SELECT id FROM core_handlingunit WHERE name = '规模测试局0000'"):
        e2e_site.manage(
            "shell",
            "-c",
            "from zhengxie.core.models import HandlingUnit, User\n"
            "city = User.objects.get(username='citystaff').organisation\n"
            "HandlingUnit.objects.bulk_create(HandlingUnit(organisation=city, name=f'规模测试局{i:04d}', "
            "short_name=f'规模测试局{i:04d}', order=100 + i) for i in range(200))",
        )


def _a_unit_with_proposals(e2e_site):
    """A unit of the county handling proposals, two of its characters, a title it handles and one it does not."""
    (unit_id, name), *_ = e2e_site.sql(
        "SELECT u.id, u.name FROM core_handlingunit u JOIN handling_assignment a ON a.unit_id = u.id "
        "JOIN proposals_proposal p ON p.case_id = a.case_id WHERE a.is_active AND p.status != 'draft' "
        "GROUP BY u.id, u.name ORDER BY COUNT(*) DESC, u.id LIMIT 1"
    )
    mine = {
        t
        for (t,) in e2e_site.sql(
            "SELECT p.title FROM proposals_proposal p JOIN handling_assignment a ON a.case_id = p.case_id "
            "WHERE a.unit_id = ? AND a.is_active AND p.status != 'draft'",
            (unit_id,),
        )
    }
    return unit_id, name, mine


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_office_types_two_characters_picks_a_unit_and_filters(e2e_site, page_for, phone):
    _many_units(e2e_site)
    unit_id, name, mine = _a_unit_with_proposals(e2e_site)
    short = name.removeprefix("县").removeprefix("市")[:2]
    page = page_for("citystaff", phone=phone)
    page.goto("/proposals/")
    box = page.locator("#id_unit-ts-control")
    expect(box).to_have_attribute("placeholder", "全部承办单位（输入名称查找）")
    assert page.locator("select[name=unit]").count() == 0  # no list of every unit in the page
    box.click()
    box.fill(short)
    option = page.locator("#id_unit-ts-dropdown .option").filter(has_text=re.compile(rf"^{name}$"))
    expect(option).to_have_count(1)
    shot(page, "pickers", f"unit-search-{'phone' if phone else 'desktop'}")
    expect(page.locator("#id_unit-ts-dropdown .option").first).to_contain_text(short)
    option.click()
    expect(page.locator("#id_unit-ts-dropdown")).to_be_hidden()
    page.locator("#filters").get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(rf"[?&]unit={unit_id}(&|$)"))
    expect(page.locator("#id_unit-ts-control").locator("xpath=..")).to_contain_text(name)
    shown = set(page.locator("table a[href*='/proposals/']").all_inner_texts())
    assert shown and shown <= mine, shown - mine
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # the picked name stays on one line: the box is as high as the filters beside it
    unit_box = page.locator(".ts-wrapper:has(#id_unit-ts-control)").bounding_box()
    status_box = page.locator("select[name=status]").bounding_box()
    assert abs(unit_box["height"] - status_box["height"]) <= 2, (unit_box, status_box)
    shot(page, "pickers", f"unit-filtered-{'phone' if phone else 'desktop'}")
