"""申请加入 in the browser: a member typing a new proposal sees one on the same matter, asks to join it
from the hint (on a phone), and the first proposer accepts on the proposal page; the proposal becomes a
联名提案 with the joiner among its proposers."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_member_joins_a_similar_proposal_and_the_lead_accepts(e2e_site, page_for, phone_page, login):
    problems = []
    # A proposal of the current session waiting for review, by somebody other than member3.
    pid, title, lead = e2e_site.sql(
        "select p.id, p.title, u.username from proposals_proposal p join core_user u on u.id = p.author_id "
        "join members_session s on s.id = p.session_id where s.is_current = 1 and p.status = 'submitted' "
        "and p.kind != 'collective' and u.username not in ('member3') and u.username like 'member%' "
        "and not exists (select 1 from proposals_signer x join members_member m on m.id = x.member_id "
        "join core_user mu on mu.id = m.user_id where x.proposal_id = p.id and mu.username = 'member3') "
        "order by p.id limit 1"
    )[0]

    member = login(phone_page, "member3")
    member.on("dialog", lambda d: d.accept())
    member.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    member.goto("/proposals/new/")
    member.locator("#id_title").press_sequentially(title, delay=20)
    hint = member.locator("#similar-list")
    expect(hint).to_contain_text(title)
    item = hint.locator("li", has_text=title).first
    item.get_by_role("button", name="申请加入该提案").click()
    member.wait_for_url(f"**/proposals/{pid}/")
    expect(member.locator("#messages")).to_contain_text("已申请加入，等待第一提案人确认")

    owner = page_for(lead)
    owner.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    owner.goto("/")
    expect(owner.locator("body")).to_contain_text("有加入申请待处理的提案")
    owner.goto(f"/proposals/{pid}/")
    owner.get_by_role("button", name="同意").first.click()
    expect(owner.locator("#messages")).to_contain_text("已同意加入申请")
    expect(owner.locator("#info")).to_contain_text("联名提案")

    member.goto(f"/proposals/{pid}/")
    name = e2e_site.sql(
        "select m.name from members_member m join core_user u on u.id = m.user_id "
        "where u.username = 'member3'"
    )[0][0]
    expect(member.locator("#info")).to_contain_text(name)
    assert not problems, problems
