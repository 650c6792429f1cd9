"""疑似重复 in the browser (issue 17): the 提案委 opens 立案审查, sees the demo's proposals on 城区学校大班额 grouped
(shared words, a suggested main item and why), merges the group in one click (with a confirmation), and the
queue no longer lists the merged one; its author sees where it went. On a phone the group is usable too."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "duplicates"


def _waiting(e2e_site, like: str) -> list[tuple[int, str, str]]:
    return e2e_site.sql(
        "SELECT p.id, p.title, p.status FROM proposals_proposal p JOIN core_organisation o "
        "ON o.id = p.organisation_id WHERE o.code = 'demo-county' AND p.title LIKE ? ORDER BY p.id",
        (f"%{like}%",),
    )


def test_the_groups_fit_a_phone(page_for):
    # Runs before the merge below, which leaves the 大班额 group with one proposal (no group to show).
    staff = page_for("staff", phone=True)
    staff.goto("/proposals/review/")
    group = staff.locator("#duplicate-groups form.duplicate-group").first
    expect(group).to_be_visible()
    button = group.locator("button.merge-group")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= 375 + 1
    width = staff.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, width
    shot(staff, SHOTS, "03-phone")


def test_each_groups_note_counts_its_own_characters_under_its_box(page_for):
    """1280 px: the 并案说明 count sat inside the input group, between the box and 一键并案, and every group's
    count had the same id, so typing in the second group counted in the first."""
    staff = page_for("staff")
    staff.goto("/proposals/review/")
    groups = staff.locator("#duplicate-groups form.duplicate-group")
    expect(groups.nth(1)).to_be_visible()
    for i in range(2):
        group = groups.nth(i)
        expect(group.locator(".input-group .char-count")).to_have_count(0)
        expect(group.locator(".input-group + .char-count")).to_have_text("0 / 500 字")
    groups.nth(1).locator("input[name=reason]").fill("同一事项")
    expect(groups.nth(1).locator(".char-count")).to_have_text("4 / 500 字")
    expect(groups.nth(0).locator(".char-count")).to_have_text("0 / 500 字")
    ids = staff.eval_on_selector_all(".char-count", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), ids


def test_office_merges_a_group_of_near_duplicates_in_one_click(page_for, e2e_site):
    problems = []
    waiting = [row for row in _waiting(e2e_site, "大班额") if row[2] == "submitted"]
    assert len(waiting) == 3, waiting

    staff = page_for("staff")
    watch(staff, problems)
    staff.goto("/proposals/review/")
    section = staff.locator("#duplicate-groups")
    expect(section).to_contain_text("疑似重复")
    group = section.locator("form.duplicate-group", has_text="大班额")
    expect(group).to_have_count(1)
    # 解决/缓解城区学校大班额 are alike (0.75); 化解城区中小学大班额 is worded too differently to join them.
    items = group.locator(".duplicate-item")
    expect(items).to_have_count(2)
    ids = [int(items.nth(i).get_attribute("data-id")) for i in range(2)]
    expect(group).to_contain_text("共同关键词")
    expect(group.locator(".duplicate-phrase", has_text="城区")).to_have_count(1)
    expect(group).to_contain_text("建议作为主提案")
    # The group's ticks are not the queue's batch selection.
    expect(staff.locator("#queue-selected")).to_contain_text("已选 0 件")
    main_id = int(group.locator("input[name=main]:checked").get_attribute("value"))
    assert main_id in ids
    main_title = next(t for pk, t, _ in waiting if pk == main_id)
    (other,) = [pk for pk in ids if pk != main_id]
    other_title = next(t for pk, t, _ in waiting if pk == other)
    shot(staff, SHOTS, "01-review-queue-groups")

    group.locator("input[name=reason]").fill("同一事项，合并办理")
    group.locator("button.merge-group").click()  # the confirmation is answered yes (watch)
    expect(staff).to_have_url(re.compile(r"/proposals/review/$"))
    expect(staff.locator("#messages")).to_contain_text(f"已将 1 件提案并入《{main_title}》")
    expect(staff.locator("#duplicate-groups form.duplicate-group", has_text="大班额")).to_have_count(0)
    queue = staff.locator("#review-queue")
    expect(queue).to_contain_text(main_title)
    expect(queue).not_to_contain_text(other_title)
    shot(staff, SHOTS, "02-after-merge")

    status = dict(
        e2e_site.sql("SELECT id, status FROM proposals_proposal WHERE id IN (?, ?)", (main_id, other))
    )
    assert status == {main_id: "submitted", other: "merged"}
    assert e2e_site.sql("SELECT merged_into_id FROM proposals_proposal WHERE id = ?", (other,)) == [
        (main_id,)
    ]

    # The merged proposal's author sees where it went.
    (author,) = e2e_site.sql(
        "SELECT u.username FROM proposals_proposal p JOIN core_user u ON u.id = p.author_id WHERE p.id = ?",
        (other,),
    )[0]
    member = page_for(author)
    watch(member, problems)
    member.goto(f"/proposals/{other}/")
    expect(member.locator("body")).to_contain_text("已并案")
    expect(member.locator("body")).to_contain_text(main_title)
    assert not problems, problems
