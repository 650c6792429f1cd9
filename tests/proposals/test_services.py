"""Proposal services: every transition, its permission, its state check and each bad input."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Counter, Notification
from zhengxie.members.models import Member
from zhengxie.performance.models import DutyRecord
from zhengxie.proposals import reporting, selectors, services
from zhengxie.proposals.models import (
    Assignment,
    Contact,
    Evaluation,
    Event,
    Extension,
    Proposal,
    Reply,
    Signer,
)

from .conftest import TEXT, docx_upload, fake_pdf_upload, pdf_upload, reload

S = Proposal.Status


def _notes(username, contains=""):
    return Notification.objects.filter(user__username=username, title__contains=contains)


def _duty(username, act, p):
    return DutyRecord.objects.filter(
        member__user__username=username, act=act, source_id=str(p.pk), voided=False
    )


# --- create / update -----------------------------------------------------------------------------------------


def test_member_creates_individual_draft_with_lead_signer(user):
    p = services.proposal_create(user=user("member1"), **TEXT)
    assert p.status == S.DRAFT and p.kind == "individual" and p.number is None
    assert p.session.is_current and p.organisation.code == "demo-county"
    lead = p.signers.get()
    assert lead.role == "lead" and lead.status == "agreed" and lead.member.user.username == "member1"
    assert Event.objects.filter(case_id=p.case_id, action="create", label="起草提案").exists()
    assert AuditEntry.objects.filter(action="proposals.create", target_id=str(p.pk)).exists()


def test_joint_draft_invites_cosigners(user):
    m2, m3 = user("member2").member, user("member3").member
    p = services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[m2.pk, m3.pk], **TEXT)
    rows = list(p.signers.order_by("order").values_list("member_id", "role", "status"))
    assert rows[1:] == [(m2.pk, "cosigner", "invited"), (m3.pk, "cosigner", "invited")]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("title", "", "请填写案由"),
        ("title", "   ", "请填写案由"),
        ("title", "关" * 201, "案由不能超过 200 字"),
        ("category", "不存在的类别", "请选择有效的提案类别"),
        ("reasons", "字" * 2600, "超过上限 2500 字"),
    ],
)
def test_create_rejects_bad_fields(user, field, value, message):
    before = Proposal.objects.count()
    with pytest.raises(Invalid) as e:
        services.proposal_create(user=user("member1"), **{**TEXT, field: value})
    assert message in e.value.message
    assert Proposal.objects.count() == before


def test_length_cap_is_an_organisation_setting(user):
    org = user("member1").organisation
    org.settings = {"proposals.max_chars": 100}
    org.save()
    with pytest.raises(Invalid, match="超过上限 100 字"):
        services.proposal_create(user=user("member1"), **{**TEXT, "reasons": "字" * 90})


def test_cosigner_from_another_organisation_is_refused(user):
    other = user("other").member
    before = Signer.objects.count()
    with pytest.raises(Invalid) as e:
        services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[other.pk], **TEXT)
    assert "本级政协的委员" in e.value.message and e.value.field == "cosigner_ids"
    assert Signer.objects.count() == before


def test_cosigner_rules(user):
    m1 = user("member1").member
    with pytest.raises(Invalid, match="第一提案人不能同时作为附议人"):
        services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[m1.pk], **TEXT)
    with pytest.raises(Invalid, match="至少需要邀请一位附议人"):
        services.proposal_create(user=user("member1"), kind="joint", **TEXT)
    with pytest.raises(Invalid, match="个人提案不能邀请附议人"):
        services.proposal_create(user=user("member1"), cosigner_ids=[user("member2").member.pk], **TEXT)
    with pytest.raises(Invalid, match="附议人编号格式不正确"):
        services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=["x"], **TEXT)
    m2 = user("member2").member
    Member.objects.filter(pk=m2.pk).update(status="exited")
    with pytest.raises(Invalid, match="不在任"):
        services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[m2.pk], **TEXT)


def test_collective_only_by_staff_with_body(user):
    # member3 convenes no sector and leads no 委员小组 (member1 leads one: tests/members/test_groups_pledges.py)
    with pytest.raises(Forbidden, match="集体提案"):
        services.proposal_create(user=user("member3"), kind="collective", collective_body="民盟", **TEXT)
    with pytest.raises(Invalid, match="须填写提案单位"):
        services.proposal_create(user=user("staff"), kind="collective", **TEXT)
    p = services.proposal_create(
        user=user("staff"), kind="collective", collective_body="民盟青川县委员会", **TEXT
    )
    assert p.lead_member is None and not p.signers.exists()
    services.proposal_submit(user=user("staff"), proposal=p, confirm_single_matter=True)
    assert p.status == S.SUBMITTED


def test_non_member_cannot_draft_a_member_proposal(user):
    with pytest.raises(Forbidden, match="只有委员"):
        services.proposal_create(user=user("handler1"), **TEXT)


def test_update_only_by_author_and_only_in_draft(user, proposal_in):
    p = proposal_in("draft")
    services.proposal_update(user=user("member1"), proposal=p, title="关于加强乡村学校音体美教师配备的建议")
    assert reload(p).title == "关于加强乡村学校音体美教师配备的建议"
    with pytest.raises(Http404):
        services.proposal_update(user=user("member2"), proposal=p, title="改")
    with pytest.raises(Invalid, match="不能修改这些字段"):
        services.proposal_update(user=user("member1"), proposal=p, status="accepted")
    with pytest.raises(Invalid, match="案由不能超过"):
        services.proposal_update(user=user("member1"), proposal=p, title="长" * 201)
    assert reload(p).title == "关于加强乡村学校音体美教师配备的建议"
    services.proposal_update(user=user("member1"), proposal=p, cosigner_ids=[user("member2").member.pk])
    assert reload(p).kind == "joint"
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    with pytest.raises(Conflict, match="只有草稿可以修改"):
        services.proposal_update(user=user("member1"), proposal=p, title="再改")


# --- submit ---------------------------------------------------------------------------------------------------


def test_submit_individual_records_duty_and_tells_the_office(user, proposal_in):
    p = proposal_in("draft")
    services.proposal_submit(user=user("member1"), proposal=p)
    assert p.status == S.SUBMITTED and p.submitted_at
    assert _duty("member1", "proposal_submit", p).get().share == 1
    assert _notes("staff", "新提案待审查").exists()


def test_submit_requires_complete_text(user):
    p = services.proposal_create(user=user("member1"), **{**TEXT, "suggestions": ""})
    with pytest.raises(Invalid, match="具体的办法和建议"):
        services.proposal_submit(user=user("member1"), proposal=p)
    assert reload(p).status == S.DRAFT


def test_second_matter_is_flagged_unless_confirmed(user):
    p = services.proposal_create(
        user=user("member1"), **{**TEXT, "title": "关于加强校园安全管理和治理城区河道污染的建议"}
    )
    with pytest.raises(Invalid) as e:
        services.proposal_submit(user=user("member1"), proposal=p)
    assert e.value.code == "multiple_matters" and "一事一案" in e.value.message
    assert reload(p).status == S.DRAFT
    services.proposal_submit(user=user("member1"), proposal=p, confirm_single_matter=True)
    assert p.status == S.SUBMITTED


def test_suggestions_wandering_into_other_domains_are_flagged(user):
    p = services.proposal_create(
        user=user("member1"),
        **{
            **TEXT,
            "title": "关于加强乡村学校建设的建议",
            "suggestions": "一是改善乡村学校办学条件；二是治理城区河道污染；三是增加城区公交线路和停车位。",
        },
    )
    with pytest.raises(Invalid) as e:
        services.proposal_submit(user=user("member1"), proposal=p)
    assert e.value.code == "multiple_matters"


@pytest.mark.parametrize(
    "title",
    [
        "关于加强和改进乡村学校教育的建议",
        "关于推进农业农村和乡村产业发展的建议",
        "关于完善县域医共体建设及基层卫生院人才培养的建议",
    ],
)
def test_one_matter_titles_pass(user, title):
    p = services.proposal_create(user=user("member1"), **{**TEXT, "title": title})
    services.proposal_submit(user=user("member1"), proposal=p)
    assert p.status == S.SUBMITTED


def test_submit_twice_is_a_conflict(user, proposal_in):
    p = proposal_in("submitted")
    with pytest.raises(Conflict, match="不能提交"):
        services.proposal_submit(user=user("member1"), proposal=p)


# --- joint: 附议 --------------------------------------------------------------------------------------------


def test_joint_waits_for_every_cosigner_then_submits_with_split_credit(user):
    m2, m3 = user("member2").member, user("member3").member
    p = services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[m2.pk, m3.pk], **TEXT)
    services.proposal_submit(user=user("member1"), proposal=p)
    assert p.status == S.AWAITING_COSIGNERS
    assert _notes("member2", "邀请您附议").exists() and _notes("member3", "邀请您附议").exists()
    services.proposal_cosign(user=user("member2"), proposal=p, agree=True)
    assert p.status == S.AWAITING_COSIGNERS
    with pytest.raises(Conflict, match="已经答复过"):
        services.proposal_cosign(user=user("member2"), proposal=p, agree=False)
    services.proposal_cosign(user=user("member3"), proposal=p, agree=True)
    assert p.status == S.SUBMITTED
    assert float(_duty("member1", "proposal_submit", p).get().share) == 0.5
    assert float(_duty("member2", "proposal_submit", p).get().share) == 0.25
    assert float(_duty("member3", "proposal_submit", p).get().share) == 0.25


def test_only_invited_members_cosign(user):
    p = services.proposal_create(
        user=user("member1"), kind="joint", cosigner_ids=[user("member2").member.pk], **TEXT
    )
    with pytest.raises(Http404):  # member3 is not a signer: cannot even see it
        services.proposal_cosign(user=user("member3"), proposal=p, agree=True)
    with pytest.raises(Http404):  # still the author's draft: invisible to the invited member
        services.proposal_cosign(user=user("member2"), proposal=p, agree=True)
    services.proposal_submit(user=user("member1"), proposal=p)
    with pytest.raises(Forbidden, match="受邀附议"):
        services.proposal_cosign(user=user("staff"), proposal=p, agree=True)


def test_cosign_deadline(user):
    p = services.proposal_create(
        user=user("member1"), kind="joint", cosigner_ids=[user("member2").member.pk], **TEXT
    )
    services.proposal_submit(user=user("member1"), proposal=p)
    Signer.objects.filter(proposal=p, role="cosigner").update(
        invited_at=timezone.now() - datetime.timedelta(days=8)
    )
    with pytest.raises(Conflict, match="附议确认期限"):
        services.proposal_cosign(user=user("member2"), proposal=p, agree=True)


def test_decline_and_drop_decliners(user):
    m2, m3 = user("member2").member, user("member3").member
    p = services.proposal_create(user=user("member1"), kind="joint", cosigner_ids=[m2.pk, m3.pk], **TEXT)
    services.proposal_submit(user=user("member1"), proposal=p)
    services.proposal_cosign(user=user("member2"), proposal=p, agree=False)
    assert _notes("member1", "不同意附议").exists()
    with pytest.raises(Forbidden, match="第一提案人"):
        services.proposal_drop_decliners(user=user("member3"), proposal=p)
    services.proposal_drop_decliners(user=user("member1"), proposal=p)
    assert p.status == S.SUBMITTED and p.kind == "individual"
    assert set(p.signers.values_list("status", flat=True)) == {"agreed", "dropped"}
    assert _duty("member1", "proposal_submit", p).get().share == 1
    assert not _duty("member2", "proposal_submit", p).exists()


# --- review ---------------------------------------------------------------------------------------------------


def test_accept_numbers_gap_free_and_credits(user, proposal_in):
    a, b = proposal_in("submitted"), proposal_in("submitted", author="member2")
    services.proposal_review(user=user("staff"), proposal=a, decision="accept")
    services.proposal_review(user=user("staff"), proposal=b, decision="accept", category="社会法制")
    assert b.number == a.number + 1 and b.category == "社会法制"
    nums = sorted(
        Proposal.objects.filter(session=a.session, number__isnull=False).values_list("number", flat=True)
    )
    assert nums == list(range(1, len(nums) + 1))
    assert _duty("member1", "proposal_accept", a).exists()
    assert _notes("member1", "已立案").exists()


def test_double_accept_is_a_conflict_and_consumes_no_number(user, proposal_in):
    p = proposal_in("submitted")
    stale = Proposal.objects.get(pk=p.pk)  # a second browser tab with the old state
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    counter = Counter.objects.get(key=f"proposal:{p.session_id}").value
    with pytest.raises(Conflict) as e:
        services.proposal_review(user=user("staff"), proposal=stale, decision="accept")
    assert e.value.status == 409 and "已立案" in e.value.message
    assert Counter.objects.get(key=f"proposal:{p.session_id}").value == counter
    assert reload(p).number == counter
    assert AuditEntry.objects.filter(action="proposals.accept", target_id=str(p.pk)).count() == 1


def test_a_failed_accept_gives_its_number_back(user, proposal_in):
    p = proposal_in("submitted")
    counter = Counter.objects.get(key=f"proposal:{p.session_id}").value
    with pytest.raises(Invalid):
        services.proposal_review(user=user("staff"), proposal=p, decision="accept", category="无此类别")
    assert Counter.objects.get(key=f"proposal:{p.session_id}").value == counter
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    assert p.number == counter + 1


def test_only_the_proposal_office_reviews(user, proposal_in):
    p = proposal_in("submitted")
    for name in ("member1", "office", "leader"):
        with pytest.raises(Forbidden, match="审查立案"):
            services.proposal_review(user=user(name), proposal=p, decision="accept")
    with pytest.raises(Http404):
        services.proposal_review(user=user("handler1"), proposal=p, decision="accept")
    assert reload(p).status == S.SUBMITTED


def test_reject_needs_a_listed_reason_shown_to_the_proposer(user, proposal_in):
    p = proposal_in("submitted")
    with pytest.raises(Invalid, match="须选择理由"):
        services.proposal_review(user=user("staff"), proposal=p, decision="reject")
    with pytest.raises(Invalid, match="从列表中选择"):
        services.proposal_review(user=user("staff"), proposal=p, decision="reject", reason="我不喜欢")
    with pytest.raises(Invalid, match="写明"):
        services.proposal_review(user=user("staff"), proposal=p, decision="reject", reason="其他")
    services.proposal_review(user=user("staff"), proposal=p, decision="reject", reason="个人或家庭问题")
    assert p.status == S.REJECTED and p.reject_reason == "个人或家庭问题"
    note = _notes("member1", "不予立案").get()
    assert "个人或家庭问题" in note.body
    q = proposal_in("submitted")
    services.proposal_review(
        user=user("staff"), proposal=q, decision="reject", reason="其他：已由县人大建议办理"
    )
    assert q.reject_reason == "其他" and q.review_note == "已由县人大建议办理"
    assert "已由县人大建议办理" in _notes("member1", "不予立案").first().body


def test_convert(user, proposal_in):
    p = proposal_in("submitted")
    services.proposal_review(
        user=user("staff"), proposal=p, decision="to_opinion", reason="更适合作为社情民意信息"
    )
    assert p.status == S.CONVERTED and p.converted_to == "opinion"
    with pytest.raises(Invalid, match="审查决定"):
        services.proposal_review(user=user("staff"), proposal=proposal_in("submitted"), decision="maybe")


def test_merge_carries_signers_and_credit(user, proposal_in):
    target = proposal_in("accepted", author="member2")
    src = proposal_in("submitted", author="member1", cosigners=["member3"])
    services.proposal_review(user=user("staff"), proposal=src, decision="merge", merge_into=target.pk)
    assert src.status == S.MERGED and src.merged_into_id == target.pk and src.number is None
    carried = Signer.objects.filter(proposal=target, via_merge=src)
    assert set(carried.values_list("member__user__username", flat=True)) == {"member1", "member3"}
    assert _duty("member1", "proposal_accept", src).exists()
    assert Event.objects.filter(case_id=target.case_id, action="merged_in").exists()
    # merged proposers see the target, receive its reply and rate it
    services.proposal_assign(user=user("staff"), proposal=target, lead_unit=user("handler1").handling_unit)
    services.assignment_acknowledge(user=user("handler1"), proposal=target)
    services.proposal_reply(user=user("handler1"), proposal=target, result_class="B", content="列入计划。")
    assert _notes("member1", "请评价").exists()
    services.proposal_evaluate(user=user("member1"), proposal=target, rating="satisfied")


def test_merge_targets(user, proposal_in):
    p = proposal_in("submitted")
    with pytest.raises(Invalid, match="选择要并入"):
        services.proposal_review(user=user("staff"), proposal=p, decision="merge")
    with pytest.raises(Invalid, match="不能并入提案自身"):
        services.proposal_review(user=user("staff"), proposal=p, decision="merge", merge_into=p.pk)
    closed = Proposal.objects.filter(status=S.CLOSED, session=p.session).first()
    with pytest.raises(Invalid, match="只能并入"):
        services.proposal_review(user=user("staff"), proposal=p, decision="merge", merge_into=closed.pk)
    last_year = (
        Proposal.objects.filter(organisation=p.organisation, status=S.CLOSED)
        .exclude(session=p.session)
        .first()
    )
    with pytest.raises(Invalid, match="同一会次"):
        services.proposal_review(user=user("staff"), proposal=p, decision="merge", merge_into=last_year.pk)
    assert reload(p).status == S.SUBMITTED


# --- assignment -----------------------------------------------------------------------------------------------


def test_assign_with_co_units_and_default_deadline(user, units, proposal_in):
    p = proposal_in("accepted")
    services.proposal_assign(
        user=user("staff"), proposal=p, lead_unit=units["教育局"], co_units=[units["人社局"]]
    )
    assert p.status == S.ASSIGNED and p.light == "green"
    assert p.deadline == timezone.localdate() + datetime.timedelta(days=90)
    roles = dict(p.assignments.values_list("unit__short_name", "role"))
    assert roles == {"教育局": "lead", "人社局": "co"}
    assert _notes("handler1", "新交办提案（主办）").exists()
    assert not _notes("unithead1", "新交办提案").exists()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"lead_unit": None}, "承办单位"),
        ({"lead_unit": 999999}, "承办单位"),
        ({"deadline": "2020-01-01"}, "须晚于今天"),
        ({"deadline": "明天"}, "格式不正确"),
    ],
)
def test_assign_bad_input(user, units, proposal_in, kwargs, message):
    p = proposal_in("accepted")
    args = {"lead_unit": units["教育局"], **kwargs}
    with pytest.raises(Invalid, match=message):
        services.proposal_assign(user=user("staff"), proposal=p, **args)
    assert reload(p).status == S.ACCEPTED and not p.assignments.exists()


def test_assign_refuses_other_countys_unit_and_lead_as_co(user, units, proposal_in):
    from zhengxie.core.models import HandlingUnit

    p = proposal_in("accepted")
    foreign = HandlingUnit.objects.filter(organisation__code="demo-county-2").first()
    with pytest.raises(Invalid):
        services.proposal_assign(user=user("staff"), proposal=p, lead_unit=foreign)
    with pytest.raises(Invalid, match="不能同时作为会办"):
        services.proposal_assign(
            user=user("staff"), proposal=p, lead_unit=units["教育局"], co_units=[units["教育局"]]
        )


def test_batch_assign_is_all_or_nothing(user, units, proposal_in):
    a, b = proposal_in("accepted"), proposal_in("accepted", author="member2")
    c = proposal_in("submitted", author="member3")
    with pytest.raises(Conflict):
        services.proposals_assign_batch(user=user("staff"), proposals=[a, b, c], lead_unit=units["教育局"])
    assert (
        reload(a).status == S.ACCEPTED and not Assignment.objects.filter(case__proposal__in=[a, b]).exists()
    )
    done = services.proposals_assign_batch(user=user("staff"), proposals=[a, b], lead_unit=units["教育局"])
    batches = set(Assignment.objects.filter(case__proposal__in=done).values_list("batch", flat=True))
    assert len(batches) == 1 and batches.pop()
    assert reload(a).status == S.ASSIGNED == reload(b).status
    with pytest.raises(Invalid):
        services.proposals_assign_batch(user=user("staff"), proposals=[], lead_unit=units["教育局"])


def test_acknowledge_by_lead_starts_handling(user, units, proposal_in):
    p = proposal_in("assigned", co=["人社局"])
    co_handler = Assignment.objects.get(case_id=p.case_id, role="co").unit.handlers.first()
    services.assignment_acknowledge(user=co_handler, proposal=p)
    assert reload(p).status == S.ASSIGNED
    with pytest.raises(Http404):
        services.assignment_acknowledge(user=user("handler2"), proposal=p)
    with pytest.raises(Forbidden):
        services.assignment_acknowledge(user=user("staff"), proposal=p)
    services.assignment_acknowledge(user=user("handler1"), proposal=p)
    assert p.status == S.HANDLING
    with pytest.raises(Conflict, match="已签收"):
        services.assignment_acknowledge(user=user("unithead1"), proposal=p)


def test_change_request_window_and_decision(user, units, proposal_in):
    p = proposal_in("handling")
    a = Assignment.objects.get(case_id=p.case_id, role="lead")
    with pytest.raises(Invalid, match="理由"):
        services.assignment_request_change(user=user("handler1"), proposal=p, reason="")
    Assignment.objects.filter(pk=a.pk).update(acknowledged_at=timezone.now() - datetime.timedelta(days=30))
    with pytest.raises(Invalid, match="已超过申请调整期限"):
        services.assignment_request_change(user=user("handler1"), proposal=p, reason="不属于我局职责")
    Assignment.objects.filter(pk=a.pk).update(acknowledged_at=timezone.now())
    services.assignment_request_change(user=user("handler1"), proposal=p, reason="不属于我局职责")
    assert _notes("staff", "申请调整").exists()
    with pytest.raises(Conflict, match="等待审核"):
        services.assignment_request_change(user=user("handler1"), proposal=p, reason="再次申请")
    with pytest.raises(Forbidden):
        services.assignment_decide_change(user=user("handler1"), assignment=a, grant=True)
    services.assignment_decide_change(
        user=user("staff"), assignment=a, grant=True, note="改由住建局办理", new_unit=units["住建局"]
    )
    p.refresh_from_db()
    assert p.status == S.ASSIGNED
    active = Assignment.objects.get(case_id=p.case_id, is_active=True, role="lead")
    assert active.unit.short_name == "住建局" and active.acknowledged_at is None
    assert _notes("handler2", "新交办提案").exists()
    with pytest.raises(Http404):  # 教育局 no longer sees it
        services.assignment_acknowledge(user=user("handler1"), proposal=p)
    with pytest.raises(Conflict):
        services.assignment_decide_change(user=user("staff"), assignment=a, grant=True)


def test_change_refused_and_granted_without_new_unit(user, units, proposal_in):
    p = proposal_in("handling")
    a = Assignment.objects.get(case_id=p.case_id, role="lead")
    services.assignment_request_change(user=user("handler1"), proposal=p, reason="职责交叉")
    services.assignment_decide_change(user=user("staff"), assignment=a, grant=False, note="请继续办理")
    assert reload(p).status == S.HANDLING and _notes("handler1", "未获同意").exists()
    services.assignment_request_change(user=user("handler1"), proposal=p, reason="职责交叉，请改交")
    services.assignment_decide_change(user=user("staff"), assignment=a, grant=True)
    p.refresh_from_db()
    assert p.status == S.ACCEPTED and p.deadline is None and not p.assignments.filter(is_active=True).exists()
    services.proposal_assign(user=user("staff"), proposal=p, lead_unit=units["教育局"])  # assigned again
    assert p.status == S.ASSIGNED


def test_contact_and_co_opinion(user, units, proposal_in):
    p = proposal_in("handling", co=["人社局"])
    today = timezone.localdate()
    with pytest.raises(Invalid, match="不能晚于今天"):
        services.assignment_record_contact(
            user=user("handler1"),
            proposal=p,
            contacted_on=today + datetime.timedelta(days=1),
            method="phone",
            summary="电话",
        )
    with pytest.raises(Invalid, match="沟通方式"):
        services.assignment_record_contact(
            user=user("handler1"), proposal=p, contacted_on=today, method="fax", summary="传真"
        )
    with pytest.raises(Invalid, match="沟通情况"):
        services.assignment_record_contact(
            user=user("handler1"), proposal=p, contacted_on=today, method="phone", summary=" "
        )
    services.assignment_record_contact(
        user=user("handler1"),
        proposal=p,
        contacted_on=today,
        method="visit",
        summary="上门走访提案人，听取意见。",
    )
    assert Contact.objects.filter(assignment__case__proposal=p).count() == 1
    with pytest.raises(Forbidden, match="会办单位"):
        services.assignment_co_opinion(user=user("handler1"), proposal=p, opinion="同意")
    co_handler = units["人社局"].handlers.first()
    with pytest.raises(Invalid):
        services.assignment_co_opinion(user=co_handler, proposal=p, opinion="")
    services.assignment_co_opinion(user=co_handler, proposal=p, opinion="同意主办单位意见，配合落实待遇。")
    assert Assignment.objects.get(case_id=p.case_id, role="co").co_opinion.startswith("同意")
    assert _notes("handler1", "会办意见").exists()


# --- reply ----------------------------------------------------------------------------------------------------


def test_reply_with_letter_notifies_every_signer(user, proposal_in):
    p = proposal_in("handling", cosigners=["member2"])
    services.proposal_reply(
        user=user("handler1"), proposal=p, result_class="B", content="已列入明年计划。", letter=pdf_upload()
    )
    assert p.status == S.REPLIED and p.light == ""
    r = Reply.objects.get(case_id=p.case_id)
    assert r.on_time and r.result_class == "B" and r.letter.mime_type == "application/pdf"
    assert _notes("member1", "请评价").exists() and _notes("member2", "请评价").exists()


def test_reply_late_is_recorded(user, proposal_in):
    p = proposal_in("handling")
    Proposal.objects.filter(pk=p.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    reporting.sync([p.pk])
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已解决。")
    assert not Reply.objects.get(case_id=p.case_id).on_time
    assert Event.objects.filter(case_id=p.case_id, action="reply", label__contains="逾期").exists()


def test_reply_bad_input_writes_nothing(user, proposal_in):
    p = proposal_in("handling")
    with pytest.raises(Invalid, match="答复类别"):
        services.proposal_reply(user=user("handler1"), proposal=p, result_class="Z", content="x")
    with pytest.raises(Invalid, match="答复内容"):
        services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="")
    with pytest.raises(Invalid, match="文件类型不符|不符"):
        services.proposal_reply(
            user=user("handler1"), proposal=p, result_class="A", content="已解决。", letter=fake_pdf_upload()
        )
    assert reload(p).status == S.HANDLING and not Reply.objects.filter(case_id=p.case_id).exists()


def test_renamed_docx_is_refused(user, proposal_in):
    p = proposal_in("replied")
    with pytest.raises(Invalid, match="扩展名"):
        services.proposal_attach_letter(user=user("handler1"), proposal=p, upload=docx_upload("答复函.pdf"))
    services.proposal_attach_letter(user=user("handler1"), proposal=p, upload=docx_upload())
    assert Reply.objects.get(case_id=p.case_id).letter.original_name == "答复函.docx"


def test_a_unit_not_assigned_cannot_reply(user, proposal_in):
    p = proposal_in("handling")
    with pytest.raises(Http404):
        services.proposal_reply(user=user("handler2"), proposal=p, result_class="A", content="越权答复")
    assert reload(p).status == S.HANDLING


def test_co_unit_cannot_reply(user, units, proposal_in):
    p = proposal_in("handling", co=["人社局"])
    with pytest.raises(Forbidden, match="主办单位"):
        services.proposal_reply(
            user=units["人社局"].handlers.first(), proposal=p, result_class="A", content="x"
        )


def test_reply_class_list_is_a_setting(user, proposal_in):
    p = proposal_in("handling")
    org = p.organisation
    org.settings = {"proposals.result_classes": ["A", "B", "C", "D"]}
    org.save()
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="D", content="留作参考。")
    assert Reply.objects.get(case_id=p.case_id).result_class == "D"


# --- evaluation -----------------------------------------------------------------------------------------------


def test_each_signer_rates_once(user, proposal_in):
    p = proposal_in("replied", cosigners=["member2"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied", comment="很好")
    with pytest.raises(Conflict, match="不能重复评价"):
        services.proposal_evaluate(user=user("member1"), proposal=p, rating="unsatisfied", comment="改主意")
    assert Evaluation.objects.filter(case_id=p.case_id).count() == 1
    assert "close" not in selectors.allowed_actions(user("staff"), p)
    services.proposal_evaluate(user=user("member2"), proposal=p, rating="basically_satisfied")
    assert reload(p).status == S.REPLIED
    assert _notes("staff", "可办结").exists()


def test_a_member_cannot_rate_someone_elses_proposal(user, proposal_in):
    p = proposal_in("replied")
    # member2 may read the accepted proposal (public to the committee) but not rate it.
    with pytest.raises(Forbidden, match="只有本提案的提案人"):
        services.proposal_evaluate(user=user("member2"), proposal=p, rating="unsatisfied", comment="不满意")
    with pytest.raises(Http404):
        services.proposal_evaluate(user=user("other"), proposal=p, rating="satisfied")
    assert not Evaluation.objects.filter(case_id=p.case_id).exists()


def test_a_unit_never_rates(user, proposal_in):
    p = proposal_in("replied")
    with pytest.raises(Forbidden, match="承办单位不能"):
        services.proposal_evaluate(
            user=user("handler1"), proposal=p, rating="satisfied", member=user("member1").member
        )
    with pytest.raises(Forbidden):
        services.proposal_evaluate(user=user("unithead1"), proposal=p, rating="satisfied")


def test_staff_records_a_rating_for_a_member(user, proposal_in):
    p = proposal_in("replied")
    with pytest.raises(Forbidden, match="代委员录入"):
        services.proposal_evaluate(
            user=user("leader"), proposal=p, rating="satisfied", member=user("member1").member
        )
    with pytest.raises(Forbidden, match="代委员录入"):
        services.proposal_evaluate(
            user=user("member2"), proposal=p, rating="satisfied", member=user("member1").member
        )
    with pytest.raises(Forbidden, match="提案人"):
        services.proposal_evaluate(user=user("staff"), proposal=p, rating="satisfied")
    with pytest.raises(Forbidden, match="本提案的提案人"):
        services.proposal_evaluate(
            user=user("staff"), proposal=p, rating="satisfied", member=user("member2").member
        )
    services.proposal_evaluate(
        user=user("staff"), proposal=p, rating="satisfied", member=user("member1").member
    )
    ev = Evaluation.objects.get(case_id=p.case_id)
    assert ev.member.user.username == "member1" and ev.recorded_by.username == "staff"
    assert Event.objects.filter(case_id=p.case_id, action="evaluate", label__contains="代录").exists()


def test_unsatisfied_sends_it_back_for_rehandling(user, proposal_in):
    p = proposal_in("replied")
    with pytest.raises(Invalid, match="写明意见"):
        services.proposal_evaluate(user=user("member1"), proposal=p, rating="unsatisfied")
    with pytest.raises(Invalid, match="满意"):
        services.proposal_evaluate(user=user("member1"), proposal=p, rating="great")
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="unsatisfied", comment="措施不具体。")
    assert p.status == S.REHANDLING and p.rehandle_round == 2
    # the member's own full stop is not doubled in what the unit reads
    body = _notes("handler1", "不满意").latest("id").body
    assert "措施不具体。请于" in body and "。。" not in body
    # sent back early: the 90 days it had, not today + rehandle_days (30) (tests/handling/test_rehandle_deadline.py)
    assert p.deadline == timezone.localdate() + datetime.timedelta(days=90) and p.light == "green"
    assert _notes("staff", "不满意").exists() and _notes("handler1", "不满意").exists()
    assert _notes("unithead1", "不满意").exists()
    with pytest.raises(Conflict):
        services.proposal_close(user=user("staff"), proposal=p)
    # second round: reply again, rate again, close
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已补充具体措施。")
    assert Reply.objects.filter(case_id=p.case_id).order_by("-id").first().round == 2
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="basically_satisfied")
    services.proposal_close(user=user("staff"), proposal=p)
    assert p.status == S.CLOSED


def test_close_waits_for_evaluations_or_their_deadline(user, proposal_in):
    p = proposal_in("replied", cosigners=["member2"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    with pytest.raises(Conflict, match="尚未全部评价"):
        services.proposal_close(user=user("staff"), proposal=p)
    Reply.objects.filter(case_id=p.case_id).update(replied_at=timezone.now() - datetime.timedelta(days=40))
    with pytest.raises(Forbidden):
        services.proposal_close(user=user("member1"), proposal=p)
    services.proposal_close(user=user("staff"), proposal=p)
    assert p.status == S.CLOSED and p.closed_at
    with pytest.raises(Conflict):
        services.proposal_close(user=user("staff"), proposal=p)


# --- supervision ----------------------------------------------------------------------------------------------


def test_extend_within_the_limit(user, proposal_in):
    p = proposal_in("handling")
    old = p.deadline
    with pytest.raises(Invalid, match="晚于原期限"):
        services.proposal_extend(user=user("staff"), proposal=p, new_deadline=old, reason="复杂")
    with pytest.raises(Invalid, match="180 天"):
        services.proposal_extend(
            user=user("staff"), proposal=p, new_deadline=old + datetime.timedelta(days=120), reason="复杂"
        )
    with pytest.raises(Invalid, match="延期理由"):
        services.proposal_extend(
            user=user("staff"), proposal=p, new_deadline=old + datetime.timedelta(days=30), reason=""
        )
    with pytest.raises(Forbidden):
        services.proposal_extend(
            user=user("handler1"),
            proposal=p,
            new_deadline=old + datetime.timedelta(days=30),
            reason="自己延期",
        )
    services.proposal_extend(
        user=user("staff"),
        proposal=p,
        new_deadline=old + datetime.timedelta(days=60),
        reason="涉及多部门协调",
    )
    assert p.deadline == old + datetime.timedelta(days=60)
    assert Assignment.objects.get(case_id=p.case_id, role="lead").deadline == p.deadline
    assert Extension.objects.get(case_id=p.case_id).old_deadline == old
    assert _notes("handler1", "延至").exists()


def test_key_and_excellent_credit_and_revoke(user, proposal_in):
    p = proposal_in("handling", cosigners=["member2"])
    with pytest.raises(Forbidden):
        services.proposal_mark_key(user=user("member1"), proposal=p, is_key=True)
    with pytest.raises(Invalid, match="领导"):
        services.proposal_mark_key(user=user("staff"), proposal=p, is_key=True, leader=user("member3"))
    services.proposal_mark_key(user=user("staff"), proposal=p, is_key=True, leader=user("leader"))
    assert p.is_key and p.key_leader.username == "leader"
    assert _notes("leader", "领衔督办").exists()
    assert float(_duty("member1", "proposal_key", p).get().share) == 0.5
    assert _duty("member2", "proposal_key", p).exists()
    with pytest.raises(Conflict):
        services.proposal_mark_key(user=user("staff"), proposal=p, is_key=True, leader=user("leader"))
    services.proposal_mark_key(user=user("leader"), proposal=p, is_key=False)
    assert not reload(p).is_key and not _duty("member1", "proposal_key", p).exists()
    services.proposal_mark_excellent(user=user("staff"), proposal=p, value=True)
    assert _duty("member2", "proposal_excellent", p).exists()
    services.proposal_mark_excellent(user=user("staff"), proposal=p, value=False)
    assert not _duty("member2", "proposal_excellent", p).exists()
    with pytest.raises(Conflict):
        services.proposal_mark_key(user=user("staff"), proposal=proposal_in("submitted"), is_key=True)


def test_leader_marking_key_leads_it(user, proposal_in):
    p = proposal_in("accepted")
    services.proposal_mark_key(user=user("leader"), proposal=p, is_key=True)
    assert p.key_leader.username == "leader"


def test_remind_reaches_handlers_and_when_red_the_head(user, proposal_in):
    p = proposal_in("handling")
    services.proposal_remind(user=user("staff"), proposal=p)
    assert _notes("handler1", "督办提醒").count() == 1 and not _notes("unithead1", "督办提醒").exists()
    Proposal.objects.filter(pk=p.pk).update(light="red")
    reporting.sync([p.pk])
    services.proposal_remind(user=user("staff"), proposal=p)
    assert _notes("unithead1", "督办提醒").exists()
    with pytest.raises(Forbidden):
        services.proposal_remind(user=user("member1"), proposal=p)
    assert Event.objects.filter(case_id=p.case_id, action="remind").count() == 2


def test_closed_and_rejected_accept_no_further_action(user, units, proposal_in):
    closed = proposal_in("closed")
    rejected = proposal_in("submitted", author="member2")
    services.proposal_review(user=user("staff"), proposal=rejected, decision="reject", reason="指明举报")
    for p in (closed, rejected):
        for call in (
            lambda p: services.proposal_review(user=user("staff"), proposal=p, decision="accept"),
            lambda p: services.proposal_assign(user=user("staff"), proposal=p, lead_unit=units["教育局"]),
            lambda p: services.proposal_remind(user=user("staff"), proposal=p),
            lambda p: services.proposal_close(user=user("staff"), proposal=p),
            lambda p: services.proposal_extend(
                user=user("staff"), proposal=p, new_deadline="2099-01-01", reason="x"
            ),
        ):
            with pytest.raises(Conflict):
                call(p)
