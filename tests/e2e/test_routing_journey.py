"""智能分办 in the browser: staff open a submitted proposal's 立案审查, see the suggested category with the past
items most like it, accept it in one click (the form's 类别 and 立案's 主办单位 are filled) and file it: accepted
and assigned in one step. Both choices are stored as training data."""

import json
import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "routing"


def test_staff_accept_the_suggested_category_and_units_in_one_click(page_for, e2e_site):
    problems = []
    (pid,) = e2e_site.sql(
        "SELECT p.id FROM proposals_proposal p JOIN core_organisation o ON o.id = p.organisation_id "
        "WHERE o.code = 'demo-county' AND p.status = 'submitted' AND p.kind = 'individual' "
        "ORDER BY p.id LIMIT 1"
    )[0]
    staff = page_for("staff")
    watch(staff, problems)

    # 立案审查: the card comes after the page, names a category and its reasons.
    staff.goto(f"/proposals/{pid}/do/review/")
    card = staff.locator("#routing-suggestion")
    expect(card).to_contain_text("建议类别：")
    expect(card).to_contain_text("依据：最相近的既往件")
    suggested = staff.locator("#routing-category").inner_text().strip()
    other = next(c for c in ("其他", "党派团体") if c != suggested)
    staff.check("input[name=decision][value=accept]")  # the category shows for 立案 only
    staff.select_option("#id_category", other)
    shot(staff, SHOTS, "01-review-suggestion")
    staff.click("#btn-routing-adopt")
    expect(staff.locator("#routing-adopted")).to_be_visible()
    expect(staff.locator("#id_category")).to_have_value(suggested)
    # 采用 also fills 立案's 主办单位 (the review form's 交办): one click, one 提交 — accepted and assigned.
    suggested_units = json.loads(
        e2e_site.sql(
            "SELECT suggested_unit_ids FROM routing_routingchoice WHERE kind = 'proposal' AND object_id = ?",
            (pid,),
        )[0][0]
    )
    expect(staff.locator("select[name=lead_unit]")).to_have_value(str(suggested_units[0]))
    shot(staff, SHOTS, "02-review-adopted")
    staff.click("#btn-action-submit")
    expect(staff).to_have_url(re.compile(rf"/proposals/{pid}/$"))
    expect(staff.locator("#messages")).to_contain_text("已立案并交")
    assert e2e_site.sql("SELECT status FROM proposals_proposal WHERE id = ?", (pid,))[0][0] == "assigned"

    category, units, adopted, overridden = e2e_site.sql(
        "SELECT category, unit_ids, adopted, overridden FROM routing_routingchoice "
        "WHERE kind = 'proposal' AND object_id = ?",
        (pid,),
    )[0]
    assert category == suggested
    assert json.loads(units)[0] == suggested_units[0]
    assert adopted and not overridden
    assert not problems, problems


def test_adopting_on_a_review_with_no_decision_yet_chooses_accept(page_for, e2e_site):
    """The category belongs to 立案 and shows only once 立案 is chosen: 采用 before any decision filled a hidden
    field while the card said 已采用建议并填入表单 — now it chooses 立案, so the filled category is seen."""
    problems = []
    (pid,) = e2e_site.sql(
        "SELECT p.id FROM proposals_proposal p JOIN core_organisation o ON o.id = p.organisation_id "
        "WHERE o.code = 'demo-county' AND p.status = 'submitted' AND p.kind = 'individual' "
        "ORDER BY p.id DESC LIMIT 1"
    )[0]
    staff = page_for("staff", phone=True)
    watch(staff, problems)
    staff.goto(f"/proposals/{pid}/do/review/")
    expect(staff.locator("#routing-category")).to_be_visible()
    suggested = staff.locator("#routing-category").inner_text().strip()
    expect(staff.locator("#id_category")).to_be_hidden()
    staff.click("#btn-routing-adopt")
    expect(staff.locator("#routing-adopted")).to_be_visible()
    expect(staff.locator("input[name=decision][value=accept]")).to_be_checked()
    expect(staff.locator("#id_category")).to_be_visible()
    expect(staff.locator("#id_category")).to_have_value(suggested)
    shot(staff, SHOTS, "03-review-adopt-before-decision")
    assert not problems, problems
