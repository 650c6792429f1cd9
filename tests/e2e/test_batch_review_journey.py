"""Issue 15, the office at the peak, in the browser at 1280 px: the review queue's 全选本页 ticks the page's
rows and the count follows (and un-ticking one leaves the box half-ticked), nothing ticked is stopped
before it goes, the confirmation names how many, and 立案所选 accepts them one by one with a message that
names each accepted proposal with its number (two of them: the other journeys need the rest waiting)."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot

pytestmark = pytest.mark.e2e

SHOTS = "batch-review"


def _waiting(e2e_site) -> list[int]:
    return [
        pk
        for (pk,) in e2e_site.sql(
            "SELECT p.id FROM proposals_proposal p JOIN core_organisation o ON o.id = p.organisation_id "
            "WHERE o.code = 'demo-county' AND p.status = 'submitted' ORDER BY p.id"
        )
    ]


def _spare(e2e_site, waiting: list[int]) -> list[int]:
    """Two waiting proposals no other journey counts on: not the 大班额 group (疑似重复) and not the first
    waiting individual one (智能分办)."""
    rows = e2e_site.sql(
        "SELECT p.id, p.title, p.kind FROM proposals_proposal p JOIN core_organisation o"
        " ON o.id = p.organisation_id WHERE o.code = 'demo-county' AND p.status = 'submitted' ORDER BY p.id"
    )
    assert [pk for pk, _, _ in rows] == waiting
    first_individual = next(pk for pk, _, kind in rows if kind == "individual")
    spare = [pk for pk, title, _ in rows if "大班额" not in title and pk != first_individual]
    assert len(spare) >= 2, rows
    return spare[-2:]


def test_the_review_form_shows_only_the_chosen_decisions_fields(page_for, e2e_site):
    """A refused form changes nothing."""
    pid = _waiting(e2e_site)[0]
    staff = page_for("staff")
    staff.goto(f"/proposals/{pid}/do/review/")
    category = staff.locator("div[data-show-when='decision=accept']", has=staff.locator("#id_category"))
    unit = staff.locator("div[data-show-when='decision=accept']", has=staff.locator("#id_lead_unit"))
    key = staff.locator("div[data-show-when='decision=accept']", has=staff.locator("#id_is_key"))
    reason = staff.locator("div[data-show-when='decision=reject']")
    merge = staff.locator("div[data-show-when='decision=merge']")
    accept_assign = staff.locator("#btn-accept-assign")  # 立案并交办: with 立案 only
    for box in (
        category,
        unit,
        key,
        reason,
        merge,
        accept_assign,
    ):  # nothing chosen yet: no decision's fields
        expect(box).to_be_hidden()
    staff.check("input[name=decision][value=accept]")
    expect(category).to_be_visible()
    expect(unit).to_be_visible()  # 立案's 交办 (searchable) and 重点
    expect(staff.locator("#id_lead_unit-ts-control")).to_be_visible()
    expect(key).to_be_visible()
    expect(accept_assign).to_be_visible()
    staff.check("input[name=decision][value=reject]")
    expect(reason).to_be_visible()
    expect(category).to_be_hidden()
    expect(unit).to_be_hidden()
    expect(accept_assign).to_be_hidden()
    expect(merge).to_be_hidden()
    # A refused form comes back with the decision, its field and what was typed.
    staff.fill("#id_note", "写了一半的意见")
    staff.click("#btn-action-submit")
    expect(staff.locator("#action-form")).to_contain_text("不予立案须选择理由。")
    expect(reason).to_be_visible()
    expect(staff.locator("#id_note")).to_have_value("写了一半的意见")
    staff.check("input[name=decision][value=merge]")
    expect(merge).to_be_visible()
    expect(reason).to_be_hidden()
    expect(staff.locator("#id_merge_into-ts-control")).to_be_visible()  # searchable


def test_batch_accept_with_select_all(page_for, e2e_site):
    waiting = _waiting(e2e_site)
    assert len(waiting) >= 2, "the demo has proposals waiting for review"
    staff = page_for("staff")
    problems, dialogs = [], []
    staff.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    staff.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    def answer(d):
        dialogs.append(d.message)
        d.accept()

    staff.on("dialog", answer)
    staff.goto("/proposals/review/?per_page=100")
    rows = staff.locator("#review-queue tbody input[name=ids]")
    expect(rows).to_have_count(len(waiting))
    count = staff.locator("[data-selected-count=ids]")
    expect(count).to_have_text("0")

    # Nothing ticked: the page says so and sends nothing.
    staff.click("#btn-batch-accept")
    assert dialogs == ["请先勾选要处理的提案。"]
    expect(staff).to_have_url(re.compile(r"/proposals/review/\?per_page=100$"))

    # 全选本页 ticks every row of the page; un-ticking one leaves the box half-ticked and the count follows.
    staff.check("#queue-check-all")
    expect(count).to_have_text(str(len(waiting)))
    rows.first.uncheck()
    expect(count).to_have_text(str(len(waiting) - 1))
    assert staff.eval_on_selector("#queue-check-all", "el => el.indeterminate") is True
    staff.check("#queue-check-all")
    expect(count).to_have_text(str(len(waiting)))
    # Accept two of them only: the other journeys of this run (疑似重复, 智能分办) need the demo's waiting
    # proposals still waiting, whatever order the files run in.
    chosen = _spare(e2e_site, waiting)
    staff.uncheck("#queue-check-all")
    expect(count).to_have_text("0")
    for pk in chosen:
        staff.check(f"#rq-{pk}")
    expect(count).to_have_text("2")
    shot(staff, SHOTS, "01-selected")

    staff.click("#btn-batch-accept")
    assert dialogs[-1].startswith("确定将所选 2 件提案立案？"), dialogs
    expect(staff.locator("#messages .alert-success")).to_contain_text("已立案 2 件：")
    expect(staff.locator("#messages .alert-success")).to_contain_text("第")
    shot(staff, SHOTS, "02-accepted")
    statuses = {
        pk: s for pk, s in e2e_site.sql("SELECT id, status FROM proposals_proposal WHERE status <> 'draft'")
    }
    assert [statuses[pk] for pk in chosen] == ["accepted", "accepted"]
    assert {statuses[pk] for pk in waiting if pk not in chosen} == {"submitted"}
    assert not problems, problems
