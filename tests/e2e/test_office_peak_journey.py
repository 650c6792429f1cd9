"""The office at the 两会 peak (issue 15) in the browser: long unit lists are searchable (Tom Select from
npm, under the strict CSP), and 交办 asks 主办＋会办 or 分办 first and then shows only that step's units."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "office-peak"


def _accepted_unassigned(e2e_site) -> int:
    return e2e_site.sql(
        "SELECT p.id FROM proposals_proposal p JOIN core_organisation o ON o.id = p.organisation_id "
        "WHERE o.code = 'demo-county' AND p.status = 'accepted' ORDER BY p.id LIMIT 1"
    )[0][0]


def _search(page, field, text):
    """Type `text` into the box Tom Select puts in place of <select name=field>."""
    page.locator(f"#id_{field}-ts-control").locator("xpath=..").click()
    page.locator(f"#id_{field}-ts-control").fill(text)
    return page.locator(f"#id_{field}-ts-dropdown .option")


def test_assign_searches_units_and_separates_co_and_parallel_steps(page_for, e2e_site):
    problems = []
    pid = _accepted_unassigned(e2e_site)
    staff = page_for("staff")
    watch(staff, problems)
    staff.goto(f"/proposals/{pid}/do/assign/")

    # 主办＋会办 is the first choice: the 分办 units are not shown, the 会办 units are a searchable box.
    co = staff.locator("[data-show-when='mode=lead']")
    parallel = staff.locator("[data-show-when='mode=parallel']")
    expect(co).to_be_visible()
    expect(parallel).to_be_hidden()
    expect(staff.get_by_text("按住 Ctrl")).to_have_count(0)

    # The lead unit: type to filter, pick from the dropdown.
    _search(staff, "lead_unit", "教育").filter(has_text="县教育局").first.click()
    expect(staff.locator("select[name=lead_unit] option:checked")).to_have_text("县教育局")

    # 会办: two units found by typing, each removable.
    found = _search(staff, "co_units", "住房")
    expect(found).to_have_count(1)
    found.first.click()
    _search(staff, "co_units", "没有这个单位")
    expect(staff.locator("#id_co_units-ts-dropdown")).to_contain_text("没有匹配的选项")
    shot(staff, SHOTS, "01-assign-search")
    staff.keyboard.press("Escape")
    expect(staff.locator("select[name=co_units] option:checked")).to_have_count(1)

    # 分办 chosen: the 会办 step disappears and sends nothing; the 分办 step appears.
    staff.check("input[name=mode][value=parallel]")
    expect(co).to_be_hidden()
    expect(parallel).to_be_visible()
    _search(staff, "parallel_units", "住房").first.click()
    staff.keyboard.press("Escape")
    shot(staff, SHOTS, "02-assign-parallel")
    staff.click("#btn-action-submit")
    expect(staff).to_have_url(re.compile(rf"/proposals/{pid}/$"))
    expect(staff.locator("#messages")).to_contain_text("已交办")
    roles = sorted(
        r
        for (r,) in e2e_site.sql(
            "SELECT a.role FROM handling_assignment a JOIN proposals_proposal p ON p.case_id = a.case_id "
            "WHERE p.id = ?",
            (pid,),
        )
    )
    assert roles == ["parallel", "parallel"], roles
    assert not problems, problems
