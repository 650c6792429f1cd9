"""换班 in the browser: member1, on a phone, accepts the swap a colleague asked of them (the demo's) and asks
another member of 教育界别委员工作室 — whose rule wants the 办公室's approval — to take one of their coming
duty days; that member accepts on a desktop; the 办公室 finds it under 待批准的换班 and approves it; the day
is then the other member's in the rota.

Screenshots go to test-results/e2e/studios/.
"""

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "studios"
STUDIO = "教育界别委员工作室"


def test_member_accepts_and_asks_a_swap_the_other_accepts_the_office_approves(page_for, e2e_site):
    problems = []
    ((studio_id,),) = e2e_site.sql("select id from studios_studio where name = ?", (STUDIO,))
    ((mate_username, mate_name, mate_id),) = e2e_site.sql(
        "select u.username, m.name, m.id from studios_studio_members sm join members_member m on m.id = sm.member_id "
        "join core_user u on u.id = m.user_id where sm.studio_id = ? and u.username != 'member1' "
        "order by m.id limit 1",
        (studio_id,),
    )

    # --- member1 on a phone: the colleague's request waits in 我的工作室; accept it.
    m1 = page_for("member1", phone=True)
    watch(m1, problems)
    m1.goto("/studios/mine/")
    incoming = m1.locator("#my-swaps li").filter(has_text="请您代")
    expect(incoming).to_have_count(1)
    shot(m1, SHOTS, "10-member-swap-request-phone")
    incoming.get_by_role("button", name="接受").click()
    m1.wait_for_load_state()
    expect(m1.locator("#messages")).to_contain_text("已接受换班")

    # --- and asks mate to take a coming day at 教育界别委员工作室.
    day = m1.locator("#my-duties li").filter(has_text=STUDIO).filter(has=m1.locator("details.swap-ask")).first
    day_text = day.inner_text()
    day.locator("details.swap-ask summary").click()
    day.locator("select[name=with_member]").select_option(label=mate_name)
    day.locator("details.swap-ask input[name=reason]").fill("当天参加市政协培训")
    shot(m1, SHOTS, "11-member-asks-swap-phone")
    day.get_by_role("button", name="发出申请").click()
    m1.wait_for_load_state()
    expect(m1.locator("#messages")).to_contain_text("换班申请已发出")
    expect(m1.locator("#my-swaps")).to_contain_text(f"您请{mate_name}代")
    ((swap_id, slot_id),) = e2e_site.sql(
        "select id, slot_id from studios_dutyswap where to_member_id = ? and status = 'asked' order by id desc limit 1",
        (mate_id,),
    )
    assert day_text.split(" ")[0] in m1.locator("#my-swaps").inner_text()

    # --- the colleague accepts on a desktop: the studio wants the office's approval.
    mate = page_for(mate_username)
    watch(mate, problems)
    mate.goto("/studios/mine/")
    row = mate.locator("#my-swaps li").filter(has_text="张明华")
    row.get_by_role("button", name="接受").click()
    mate.wait_for_load_state()
    expect(mate.locator("#messages")).to_contain_text("已接受换班")
    expect(mate.locator("#my-swaps")).to_contain_text("等待办公室批准")

    # --- the office approves from the studio list.
    office = page_for("office")
    watch(office, problems)
    office.goto("/studios/")
    waiting = office.locator("#swap-requests li").filter(has_text=mate_name).filter(has_text="张明华")
    expect(waiting).to_have_count(1)
    shot(office, SHOTS, "12-office-swap-requests")
    waiting.get_by_role("button", name="批准").click()
    office.wait_for_load_state()
    expect(office.locator("#messages")).to_contain_text("已批准换班")
    expect(office.locator(f"#swap-{swap_id}")).to_contain_text("已换班")
    shot(office, SHOTS, "13-office-swaps-page")

    ((member_id,),) = e2e_site.sql("select member_id from studios_dutyslot where id = ?", (slot_id,))
    assert member_id == mate_id
    assert not problems, problems
