"""Proposal pages, per role: a member drafts and submits with a co-signer, staff review and assign,
the unit acknowledges and replies with a letter, the member rates, staff close. Bad input keeps what
was typed and answers in Chinese."""

import re

from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import HandlingUnit
from zhengxie.members.models import Member
from zhengxie.proposals.models import Evaluation, Proposal, Reply, Signer

from .conftest import TEXT, fake_pdf_upload, pdf_upload, reload

S = Proposal.Status


def unit_id(name):
    return HandlingUnit.objects.get(organisation__code="demo-county", name=name).pk


def radio_checked(body, name, value) -> bool:
    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*\bchecked', body))


def draft_post(**over):
    data = {
        "title": TEXT["title"],
        "reasons": TEXT["reasons"],
        "suggestions": TEXT["suggestions"],
        "category": "科教文卫",
        "kind": "individual",
        "action": "save",
    }
    data.update(over)
    return data


def submit_through_pages(client, p, response=None):
    """Follows the submit steps (similar proposals, one-matter check) as a user pressing 继续 would."""
    r = response or client.post(reverse("proposals:submit", args=[p.pk]))
    for _ in range(3):
        if r.status_code == 302:
            return r
        body = r.content.decode()
        data = {"confirm_similar": "1"}
        if "single-matter-confirm" in body:
            data["confirm_single_matter"] = "1"
        r = client.post(reverse("proposals:submit", args=[p.pk]), data)
    return r


# --------------------------------------------------------------------------- member


def test_member_drafts_and_submits_with_a_cosigner(client_for, user):
    c = client_for("member1")
    m2 = user("member2").member
    r = c.post(reverse("proposals:create"), draft_post(kind="joint", cosigners=[m2.pk]))
    assert r.status_code == 302
    p = Proposal.objects.filter(author__username="member1").latest("id")
    assert p.status == S.DRAFT and p.kind == "joint"
    assert Signer.objects.filter(proposal=p, member=m2, role="cosigner").exists()
    # The draft keeps what was saved; the co-signer is ticked again.
    body = c.get(reverse("proposals:edit", args=[p.pk])).content.decode()
    assert TEXT["title"] in body and f'value="{m2.pk}" id="cs-{m2.pk}" checked' in body
    # Submit from the edit page.
    r = c.post(
        reverse("proposals:edit", args=[p.pk]), draft_post(kind="joint", cosigners=[m2.pk], action="submit")
    )
    r = submit_through_pages(c, p, r)
    assert r.status_code == 302 and reload(p).status == S.AWAITING_COSIGNERS
    # member2 is invited: sees it on 我的提案 and on the workbench, and agrees.
    c2 = client_for("member2")
    assert reverse("proposals:cosign", args=[p.pk]) in c2.get(reverse("proposals:mine")).content.decode()
    assert "待确认的联名附议" in c2.get("/").content.decode()
    page = c2.get(reverse("proposals:cosign", args=[p.pk])).content.decode()
    assert "同意附议" in page and TEXT["suggestions"][:10] in page
    r = c2.post(reverse("proposals:cosign", args=[p.pk]), {"decision": "agree"})
    assert r.status_code == 302
    assert reload(p).status == S.SUBMITTED
    assert Signer.objects.get(proposal=p, member=m2).status == Signer.Status.AGREED
    # The office sees it in the review queue.
    assert TEXT["title"] in client_for("staff").get(reverse("proposals:review_queue")).content.decode()


def test_draft_form_errors_are_chinese_and_keep_what_was_typed(client_for):
    c = client_for("member1")
    r = c.post(
        reverse("proposals:create"),
        draft_post(title="", kind="joint", reasons="学校操场年久失修，存在安全隐患。"),
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "请填写案由" in body
    assert "联名提案至少需要邀请一位附议人" in body
    assert "学校操场年久失修，存在安全隐患。" in body
    assert not Proposal.objects.filter(reasons__startswith="学校操场年久失修").exists()


def test_overlong_text_is_refused(client_for):
    r = client_for("member1").post(reverse("proposals:create"), draft_post(reasons="教" * 2600))
    assert r.status_code == 422 and "超过上限 2500 字" in r.content.decode()


def test_fake_attachment_is_rejected(client_for):
    before = Proposal.objects.count()
    r = client_for("member1").post(
        reverse("proposals:create"), {**draft_post(), "attachments": [fake_pdf_upload()]}
    )
    assert r.status_code == 422
    assert "文件类型不符" in r.content.decode()
    assert Proposal.objects.count() == before


def test_attachment_is_saved_with_the_draft(client_for):
    c = client_for("member1")
    r = c.post(reverse("proposals:create"), {**draft_post(), "attachments": [pdf_upload("调研报告.pdf")]})
    assert r.status_code == 302
    p = Proposal.objects.filter(author__username="member1").latest("id")
    assert "调研报告.pdf" in c.get(reverse("proposals:detail", args=[p.pk])).content.decode()


def test_similar_proposals_while_typing_and_before_submitting(client_for, proposal_in):
    old = proposal_in("accepted", author="member3", title="关于加强乡村学校教师队伍建设的提案")
    c = client_for("member1")
    r = c.get(reverse("proposals:similar"), {"title": "加强乡村学校教师队伍建设"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert old.title in body and "附议/加入该提案" in body
    # The draft with the same title: submitting first shows the similar one, then goes on when asked.
    c.post(reverse("proposals:create"), draft_post())
    p = Proposal.objects.filter(author__username="member1").latest("id")
    r = c.post(reverse("proposals:submit", args=[p.pk]))
    assert r.status_code == 200 and "已有相似的提案" in r.content.decode() and old.title in r.content.decode()
    assert reload(p).status == S.DRAFT
    r = c.post(reverse("proposals:submit", args=[p.pk]), {"confirm_similar": "1"})
    assert r.status_code == 302 and reload(p).status == S.SUBMITTED


def test_the_title_box_ranks_a_title_as_a_title(client_for, proposal_in):
    """?title= is the form's title box: similar() is told it is a title (search.services.similar is_title),
    so the proposal on the same estate comes before one sharing a coincidental name (docs/search.md)."""
    estate = proposal_in("accepted", author="member3", title="A市丽发新城三期违建是否会影响交房")
    other = proposal_in("accepted", author="member3", title="A市富绿新村附近临街夜市卷士重来")
    c = client_for("member1")
    r = c.get(
        reverse("proposals:similar"), {"title": "A市富绿物业丽发新城强行断业主家水"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert estate.title in body and other.title in body
    assert body.index(estate.title) < body.index(other.title)


def test_multiple_matters_asks_for_confirmation(client_for):
    c = client_for("member1")
    c.post(reverse("proposals:create"), draft_post(title="关于改善学校周边交通和发展乡村旅游的提案"))
    p = Proposal.objects.filter(author__username="member1").latest("id")
    r = c.post(reverse("proposals:submit", args=[p.pk]), {"confirm_similar": "1"})
    assert r.status_code == 200 and "一事一案" in r.content.decode()
    assert reload(p).status == S.DRAFT
    r = c.post(
        reverse("proposals:submit", args=[p.pk]), {"confirm_similar": "1", "confirm_single_matter": "1"}
    )
    assert r.status_code == 302 and reload(p).status == S.SUBMITTED


# --------------------------------------------------------------------------- proposal office


def test_staff_reviews_and_assigns(client_for, proposal_in):
    p = proposal_in("submitted")
    c = client_for("staff")
    page = c.get(reverse("proposals:action", args=[p.pk, "review"])).content.decode()
    assert "立案审查" in page and "不予立案理由" in page
    r = c.post(
        reverse("proposals:action", args=[p.pk, "review"]), {"decision": "accept", "category": "科教文卫"}
    )
    assert r.status_code == 302
    p = reload(p)
    assert p.status == S.ACCEPTED and p.number
    detail = c.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert p.number_label in detail and 'id="btn-assign"' in detail
    r = c.post(
        reverse("proposals:action", args=[p.pk, "assign"]),
        {"lead_unit": unit_id("县教育局"), "co_units": [unit_id("县住房和城乡建设局")]},
    )
    assert r.status_code == 302
    p = reload(p)
    assert p.status == S.ASSIGNED and p.deadline
    assert p.title in client_for("handler1").get(reverse("proposals:inbox"), follow=True).content.decode()
    assert p.title in client_for("handler2").get(reverse("proposals:detail", args=[p.pk])).content.decode()


def test_the_review_summary_names_the_proposer_of_a_collective_proposal(client_for, proposal_in):
    p = proposal_in("submitted")
    url = reverse("proposals:action", args=[p.pk, "review"])
    assert "提案人：张明华" in client_for("staff").get(url).content.decode()
    # a collective proposal is the body's (民盟, a sector group), not its members'
    Proposal.objects.filter(pk=p.pk).update(kind="collective", collective_body="民盟青川县委员会")
    assert "提案人：民盟青川县委员会" in client_for("staff").get(url).content.decode()


def test_review_errors_keep_the_choice(client_for, proposal_in):
    p = proposal_in("submitted")
    c = client_for("staff")
    r = c.post(reverse("proposals:action", args=[p.pk, "review"]), {"decision": "reject"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "不予立案须选择理由" in body and radio_checked(body, "decision", "reject")
    r = c.post(reverse("proposals:action", args=[p.pk, "review"]), {"decision": "reject", "reason": "其他"})
    assert r.status_code == 422 and "请写明不予立案的具体理由" in r.content.decode()
    r = c.post(
        reverse("proposals:action", args=[p.pk, "review"]), {"decision": "reject", "reason": "个人或家庭问题"}
    )
    assert r.status_code == 302
    p = reload(p)
    assert p.status == S.REJECTED and p.reject_reason == "个人或家庭问题"
    assert (
        "个人或家庭问题"
        in client_for("member1").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    )


def test_staff_merges_into_a_chosen_proposal(client_for, proposal_in):
    target = proposal_in("accepted", author="member3")
    p = proposal_in("submitted", title="关于加强乡村教师队伍建设的提案")
    c = client_for("staff")
    page = c.get(reverse("proposals:action", args=[p.pk, "review"])).content.decode()
    assert "相似提案（并案参考）" in page and target.title in page
    r = c.post(
        reverse("proposals:action", args=[p.pk, "review"]), {"decision": "merge", "merge_into": target.pk}
    )
    assert r.status_code == 302
    assert reload(p).status == S.MERGED and reload(p).merged_into_id == target.pk


def test_assign_form_errors(client_for, proposal_in):
    p = proposal_in("accepted")
    c = client_for("staff")
    edu = unit_id("县教育局")
    r = c.post(
        reverse("proposals:action", args=[p.pk, "assign"]),
        {"lead_unit": edu, "co_units": [edu], "deadline": "2001-01-01"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert (
        "主办单位不能同时作为会办单位" in body
        and "办理期限须晚于今天" in body
        and 'value="2001-01-01"' in body
    )
    assert reload(p).status == S.ACCEPTED


def test_batch_assign(client_for, proposal_in):
    a = proposal_in("accepted")
    b = proposal_in("accepted", author="member2")
    c = client_for("staff")
    page = c.get(reverse("proposals:batch_assign")).content.decode()
    assert a.title in page and f'value="{b.pk}"' in page
    r = c.post(reverse("proposals:batch_assign"), {"lead_unit": unit_id("县教育局")})
    assert r.status_code == 422 and "请勾选要交办的提案" in r.content.decode()
    r = c.post(
        reverse("proposals:batch_assign"), {"proposals": [a.pk, b.pk], "lead_unit": unit_id("县教育局")}
    )
    assert r.status_code == 302
    assert reload(a).status == S.ASSIGNED and reload(b).status == S.ASSIGNED
    assert (
        reload(a).assignments.get().batch
        and reload(a).assignments.get().batch == reload(b).assignments.get().batch
    )


def test_change_request_decided_by_staff(client_for, proposal_in):
    p = proposal_in("handling")
    h = client_for("handler1")
    r = h.post(reverse("proposals:action", args=[p.pk, "request_change"]), {"reason": ""})
    assert r.status_code == 422 and "请填写申请调整的理由" in r.content.decode()
    r = h.post(reverse("proposals:action", args=[p.pk, "request_change"]), {"reason": "属于住建部门职责。"})
    assert r.status_code == 302
    c = client_for("staff")
    page = c.get(reverse("proposals:changes")).content.decode()
    assert "属于住建部门职责" in page
    a = p.assignments.get(is_active=True, role="lead")
    r = c.post(reverse("proposals:decide_change", args=[a.pk]), {"grant": "0"})
    assert r.status_code == 422 and "不同意调整时请写明意见" in r.content.decode()
    r = c.post(
        reverse("proposals:decide_change", args=[a.pk]),
        {"grant": "1", "new_unit": unit_id("县住房和城乡建设局"), "note": "同意"},
    )
    assert r.status_code == 302
    assert p.assignments.get(is_active=True, role="lead").unit.name == "县住房和城乡建设局"


def test_staff_extends_marks_key_and_excellent_and_reminds(client_for, proposal_in, user):
    p = proposal_in("handling")
    c = client_for("staff")
    r = c.post(
        reverse("proposals:action", args=[p.pk, "extend"]), {"new_deadline": "2000-01-01", "reason": ""}
    )
    assert (
        r.status_code == 422
        and "新的办理期限须晚于原期限" in r.content.decode()
        and "请填写延期理由" in r.content.decode()
    )
    new = (
        p.deadline.replace(day=1)
        if p.deadline.month == 12
        else p.deadline.replace(month=p.deadline.month + 1, day=1)
    )
    r = c.post(
        reverse("proposals:action", args=[p.pk, "extend"]),
        {"new_deadline": new.isoformat(), "reason": "情况复杂"},
    )
    assert r.status_code == 302 and reload(p).deadline == new
    r = c.post(reverse("proposals:action", args=[p.pk, "mark_key"]), {"is_key": "on"})
    assert r.status_code == 422 and "领衔督办的领导" in r.content.decode()
    leader = user("leader")
    r = c.post(reverse("proposals:action", args=[p.pk, "mark_key"]), {"is_key": "on", "leader": leader.pk})
    assert r.status_code == 302 and reload(p).is_key and reload(p).key_leader_id == leader.pk
    assert p.title in client_for("leader").get(reverse("proposals:key")).content.decode()
    r = c.post(reverse("proposals:simple_action", args=[p.pk, "mark_excellent"]), {"value": "1"})
    assert r.status_code == 302 and reload(p).is_excellent
    r = c.post(reverse("proposals:simple_action", args=[p.pk, "remind"]), follow=True)
    assert "已发送催办提醒" in r.content.decode()


# --------------------------------------------------------------------------- unit and proposer


def test_unit_replies_with_a_letter_and_member_rates_then_staff_close(client_for, proposal_in):
    p = proposal_in("assigned", cosigners=["member2"])
    h = client_for("handler1")
    assert 'id="btn-acknowledge"' in h.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    r = h.post(reverse("proposals:simple_action", args=[p.pk, "acknowledge"]))
    assert r.status_code == 302 and p.assignments.get(role="lead").acknowledged_at
    r = h.post(
        reverse("proposals:action", args=[p.pk, "record_contact"]),
        {"contacted_on": "2099-01-01", "method": "", "summary": ""},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "联系日期不能晚于今天" in body and "请选择沟通方式" in body
    r = h.post(
        reverse("proposals:action", args=[p.pk, "record_contact"]),
        {
            "contacted_on": timezone.localdate(reload(p).assigned_at).isoformat(),
            "method": "visit",
            "summary": "上门走访，听取意见。",
        },
    )
    assert r.status_code == 302
    # A fake PDF is refused; the typed reply stays.
    r = h.post(
        reverse("proposals:action", args=[p.pk, "reply"]),
        {"result_class": "A", "content": "已纳入年度计划并落实。", "letter": fake_pdf_upload()},
    )
    assert r.status_code == 422
    assert "文件类型不符" in r.content.decode() and "已纳入年度计划并落实。" in r.content.decode()
    assert not Reply.objects.filter(case_id=p.case_id).exists()
    r = h.post(
        reverse("proposals:action", args=[p.pk, "reply"]),
        {"result_class": "A", "content": "已纳入年度计划并落实。", "letter": pdf_upload()},
    )
    assert r.status_code == 302
    reply = Reply.objects.get(case_id=p.case_id)
    assert reload(p).status == S.REPLIED and reply.letter and reply.letter.original_name == "答复函.pdf"
    # The proposer sees the reply, downloads the letter and rates it.
    m = client_for("member1")
    page = m.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "已纳入年度计划并落实" in page and reverse("core:attachment", args=[reply.letter.pk]) in page
    assert 'id="evaluate"' in page and "满意" in page
    assert m.get(reverse("core:attachment", args=[reply.letter.pk])).status_code == 200
    assert "待评价的提案答复" in m.get("/").content.decode()
    r = m.post(reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "unsatisfied", "comment": ""})
    assert r.status_code == 422 and "请写明意见" in r.content.decode()
    assert radio_checked(r.content.decode(), "rating", "unsatisfied")
    r = m.post(
        reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied", "comment": "很好"}
    )
    assert r.status_code == 302
    assert Evaluation.objects.get(reply=reply, member__user__username="member1").rating == "satisfied"
    # The unit sees the rating; the unit may not rate.
    assert "张明华：<strong>满意</strong>" in h.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    r = h.post(reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied"})
    assert r.status_code == 403
    # member2 (co-signer) rates too; then the office closes it.
    client_for("member2").post(
        reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "basically_satisfied"}
    )
    s = client_for("staff")
    assert 'id="btn-close"' in s.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    r = s.post(reverse("proposals:simple_action", args=[p.pk, "close"]))
    assert r.status_code == 302 and reload(p).status == S.CLOSED
    timeline = m.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    for label in ("立案", "交办", "答复", "评价：满意", "办结"):
        assert label in timeline


def test_unsatisfied_sends_back_for_rehandling(client_for, proposal_in):
    p = proposal_in("replied")
    r = client_for("member1").post(
        reverse("proposals:action", args=[p.pk, "evaluate"]),
        {"rating": "unsatisfied", "comment": "没有具体措施"},
    )
    assert r.status_code == 302 and reload(p).status == S.REHANDLING
    page = client_for("handler1").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "重新答复" in page


def test_co_unit_gives_its_opinion(client_for, proposal_in):
    p = proposal_in("handling", co=["住建局"])
    h2 = client_for("handler2")
    page = h2.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "会办意见" in page and 'id="btn-reply"' not in page
    r = h2.post(reverse("proposals:action", args=[p.pk, "co_opinion"]), {"opinion": ""})
    assert r.status_code == 422 and "请填写会办意见" in r.content.decode()
    r = h2.post(reverse("proposals:action", args=[p.pk, "co_opinion"]), {"opinion": "同意主办单位意见。"})
    assert r.status_code == 302
    assert (
        "同意主办单位意见"
        in client_for("handler1").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    )


def test_staff_records_a_rating_for_an_offline_member(client_for, proposal_in):
    p = proposal_in("replied")
    c = client_for("staff")
    page = c.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "代为录入哪位提案人的评价" in page
    m1 = Member.objects.get(user__username="member1")
    r = c.post(reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied"})
    assert r.status_code == 422 and "请选择代为录入评价的提案人" in r.content.decode()
    r = c.post(reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied", "member": m1.pk})
    assert r.status_code == 302
    assert Evaluation.objects.get(case_id=p.case_id, member=m1).recorded_by.username == "staff"


# --------------------------------------------------------------------------- documents from the pages


def test_document_downloads(client_for, proposal_in):
    import io

    from docx import Document

    p = proposal_in("assigned")
    r = client_for("member1").get(reverse("proposals:document", args=[p.pk, "docx"]))
    assert r.status_code == 200
    text = "\n".join(par.text for par in Document(io.BytesIO(r.content)).paragraphs)
    assert reload(p).number_label in text
    r = client_for("handler1").get(reverse("proposals:document", args=[p.pk, "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client_for("other").get(reverse("proposals:document", args=[p.pk, "pdf"])).status_code == 404
    assert client_for("handler2").get(reverse("proposals:document", args=[p.pk, "docx"])).status_code == 404


def test_author_drops_decliners_and_the_proposal_goes_on(client_for, user):
    c = client_for("member1")
    m2 = user("member2").member
    c.post(reverse("proposals:create"), draft_post(kind="joint", cosigners=[m2.pk]))
    p = Proposal.objects.filter(author__username="member1").latest("id")
    submit_through_pages(c, p)
    assert reload(p).status == S.AWAITING_COSIGNERS
    r = client_for("member2").post(reverse("proposals:cosign", args=[p.pk]), {"decision": "decline"})
    assert r.status_code == 302
    page = c.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "移除未附议者" in page and "已拒绝" in page
    r = c.post(reverse("proposals:simple_action", args=[p.pk, "drop_decliners"]))
    assert r.status_code == 302
    p = reload(p)
    assert p.status == S.SUBMITTED and p.kind == "individual"
    # member2 is no longer a signer: the proposal is out of their sight, and agreeing now changes nothing.
    r = client_for("member2").post(reverse("proposals:cosign", args=[p.pk]), {"decision": "agree"})
    assert r.status_code == 404
    assert Signer.objects.get(proposal=p, member=m2).status == Signer.Status.DROPPED


def test_similar_hint_is_not_for_handling_units(client_for):
    assert (
        client_for("handler1").get(reverse("proposals:similar"), {"title": "乡村学校教师"}).status_code == 404
    )
    assert (
        client_for("member1").get(reverse("proposals:similar"), {"title": "乡村学校教师"}).status_code == 200
    )
