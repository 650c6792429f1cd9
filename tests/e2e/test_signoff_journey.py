"""签发 in the browser, on a 批示落实 case (the spine's generic workflow): with the setting
`opinions.instruction.head_signoff` on, handler1 drafts the reply on a phone; unithead1 finds it under
待签发 in the 承办工作台, returns it once with a reason, then signs the corrected draft; the item's author
rates the reply. The setting is switched back off at the end (other journeys share the site).

Screenshots go to test-results/e2e/signoff/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "signoff"
EDU = "县教育局"
SET = (
    "from zhengxie.core.models import Organisation as O; o = O.objects.get(code='demo-county'); "
    "o.settings = {{**(o.settings or {{}}), 'opinions.instruction.head_signoff': {on}}}; o.save()"
)


def test_handler_drafts_head_returns_and_signs_author_rates(e2e_site, page_for):
    rows = e2e_site.sql(
        "select c.id, c.title, o.id from handling_case c join handling_assignment a on a.case_id = c.id "
        "join core_handlingunit h on h.id = a.unit_id join opinions_instruction i on i.case_id = c.id "
        "join opinions_opinion o on o.id = i.opinion_id "
        "where c.kind = 'opinion_instruction' and a.owes and a.is_active and a.signoff = '' and h.name = ? "
        "and exists (select 1 from opinions_opinionauthor oa where oa.opinion_id = o.id) order by c.id limit 1",
        (EDU,),
    )
    if not rows:
        pytest.skip("the demo has no 批示落实 case owed by 县教育局 with a member author")
    case_id, title, opinion_id = rows[0]
    author = e2e_site.sql(
        "select u.username from opinions_opinionauthor oa join members_member m on m.id = oa.member_id "
        "join core_user u on u.id = m.user_id where oa.opinion_id = ? and u.is_active order by oa.id limit 1",
        (opinion_id,),
    )[0][0]
    e2e_site.manage("shell", "-c", SET.format(on="True"))
    problems = []
    try:
        # --- handler1 on a phone drafts the reply: it waits for the head.
        h = page_for("handler1", phone=True)
        watch(h, problems)
        h.goto(f"/handling/cases/{case_id}/")
        expect(h.locator("#case-title")).to_contain_text(title[:10])
        h.fill("#reply textarea[name=content]", "拟答复：已组织排查，问题已整改。")
        h.click("#btn-reply")
        h.wait_for_load_state()
        expect(h.locator("#messages")).to_contain_text("答复稿已提交，等待单位负责人签发")
        expect(h.locator("#signoff-status")).to_contain_text("待签发")
        shot(h, SHOTS, "01-draft-waiting-phone")

        # --- unithead1: 待签发 in the workbench, returned once with a reason.
        u = page_for("unithead1")
        watch(u, problems)
        u.goto("/")
        expect(u.locator("body")).to_contain_text("待签发的答复")
        u.goto("/handling/?status=signoff")
        row = u.locator("#handling-rows tbody tr").filter(has_text=title[:10])
        expect(row).to_have_count(1)
        expect(row).to_contain_text("待签发")
        shot(u, SHOTS, "02-to-sign-inbox")
        row.locator("a").first.click()
        u.wait_for_load_state()
        expect(u.locator("#signoff")).to_contain_text("拟答复：已组织排查，问题已整改。")
        u.check("#sign input[name=decision][value=return]")
        u.fill("#sign textarea[name=reason]", "请写明整改完成时间。")
        u.click("#btn-sign")
        u.wait_for_load_state()
        expect(u.locator("#messages")).to_contain_text("已退回修改")

        # --- the handler sees the reason, edits and submits again.
        h.goto(f"/handling/cases/{case_id}/")
        expect(h.locator("#signoff-reason")).to_contain_text("请写明整改完成时间。")
        h.fill("#reply textarea[name=content]", "已组织排查，问题已于本月10日整改完毕。")
        h.click("#btn-reply")
        h.wait_for_load_state()
        expect(h.locator("#signoff-status")).to_contain_text("待签发")

        # --- the head signs: the reply is sent, with who signed it.
        u.goto(f"/handling/cases/{case_id}/")
        u.check("#sign input[name=decision][value=sign]")
        u.click("#btn-sign")
        u.wait_for_load_state()
        expect(u.locator("#messages")).to_contain_text("已签发")
        expect(u.locator("#case-status")).to_contain_text("已答复")
        expect(u.locator("#replies .signed")).to_contain_text("签发于")
        shot(u, SHOTS, "03-signed")

        # --- the item's author rates the signed reply.
        m = page_for(author)
        watch(m, problems)
        m.goto(f"/handling/cases/{case_id}/")
        expect(m.locator("#replies")).to_contain_text("已组织排查，问题已于本月10日整改完毕。")
        m.check("#rate input[name=rating][value=satisfied]")
        m.click("#btn-rate")
        m.wait_for_load_state()
        expect(m.locator("#messages")).to_contain_text("已提交评价")
        expect(m.locator("#case-status")).to_have_text(re.compile("已答复|已办结"))
        shot(m, SHOTS, "04-rated")
        assert e2e_site.sql(
            "select count(*) from handling_reply r where r.case_id = ? and r.signed_by_id is not null",
            (case_id,),
        ) == [(1,)]
        assert e2e_site.sql("select count(*) from handling_evaluation where case_id = ?", (case_id,)) == [
            (1,)
        ]
    finally:
        e2e_site.manage("shell", "-c", SET.format(on="False"))
    assert not problems, problems
