"""The 社情民意 services as the users see them: states, permissions, credit, forwarding, figures."""

import datetime

import pytest
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.handling.models import Case
from zhengxie.opinions import selectors, services
from zhengxie.opinions.models import Adoption, Opinion, OpinionIssue
from zhengxie.performance import acts as A
from zhengxie.performance.models import DutyRecord

pytestmark = pytest.mark.django_db


def points(member, act, source):
    """The member's live points for this act from this item (the demo world has its own records)."""
    return sum(
        r.points
        for r in DutyRecord.objects.filter(member=member, act=act, source_id=str(source.pk), voided=False)
    )


def test_member_writes_submits_and_office_accepts_with_credit(opinion_in, user):
    o = opinion_in("draft", co_authors=["member2", "member3"])
    assert o.status == "draft"
    assert [a.member.user.username for a in o.authors.all()] == ["member1", "member2", "member3"]
    # A member who is not an author cannot read the draft; the office does not see drafts either.
    with pytest.raises(NotFound):
        selectors.get_opinion(user("other"), o.pk)
    with pytest.raises(NotFound):
        selectors.get_opinion(user("info"), o.pk)
    services.opinion_submit(user=user("member1"), opinion=o)
    with pytest.raises(Conflict):
        services.opinion_submit(user=user("member1"), opinion=o)
    with pytest.raises(Conflict):
        services.opinion_update(user=user("member1"), opinion=o, title="改个标题")
    m1, m2 = user("member1").member, user("member2").member
    assert points(m1, A.OPINION_SUBMIT, o) > points(m2, A.OPINION_SUBMIT, o) > 0
    assert o.pk in [x.pk for x in selectors.opinion_list(user("info"), queue=True)]
    services.opinion_review(
        user=user("info"), opinion=o, decision="accept", edited_title="关于解决农村留守老人就医难的建议"
    )
    o.refresh_from_db()
    assert o.status == "accepted" and o.display_title == "关于解决农村留守老人就医难的建议"
    assert o.title == "农村留守老人就医难问题亟待关注"  # the original stays readable
    # The demo county scores by the 桐城 scheme (no points for 录用 itself), but the act is on record.
    assert DutyRecord.objects.filter(member=m1, act=A.OPINION_ACCEPT, voided=False).exists()


def test_bad_input_is_refused_in_chinese(user, db):
    m = user("member1")
    before = Opinion.objects.count()
    with pytest.raises(Invalid) as e:
        services.opinion_create(user=m, title="", content="正文")
    assert e.value.field == "title"
    with pytest.raises(Invalid) as e:
        services.opinion_create(user=m, title="标题", content="字" * 1501)
    assert "1500" in str(e.value) and e.value.field == "content"
    assert Opinion.objects.count() == before


def test_file_and_return_need_a_reason_the_author_sees(opinion_in, user):
    o = opinion_in("submitted")
    with pytest.raises(Invalid):
        services.opinion_review(user=user("info"), opinion=o, decision="return")
    services.opinion_review(user=user("info"), opinion=o, decision="return", reason="请补充具体数据。")
    o.refresh_from_db()
    assert o.status == "returned" and o.review_note == "请补充具体数据。"
    services.opinion_update(user=user("member1"), opinion=o, content=o.content + "涉及老人约1200人。")
    services.opinion_submit(user=user("member1"), opinion=o)
    services.opinion_review(user=user("info"), opinion=o, decision="file", reason="与已录用信息重复。")
    o.refresh_from_db()
    assert o.status == "filed"
    # Only the 信息科 reviews.
    o2 = opinion_in("submitted")
    with pytest.raises(Forbidden):
        services.opinion_review(user=user("staff"), opinion=o2, decision="accept")


def test_merge_keeps_every_authors_credit(opinion_in, user):
    keep = opinion_in("submitted", author="member1")
    other = opinion_in("submitted", author="member2", title="留守老人看病难")
    services.opinion_review(user=user("info"), opinion=other, decision="merge", merge_into=keep.pk)
    other.refresh_from_db()
    assert other.status == "merged" and other.merged_into_id == keep.pk
    services.opinion_review(user=user("info"), opinion=keep, decision="accept")
    services.adoption_add(
        user=user("info"), opinion=keep, level="county", body="县委办公室", adopted_on=timezone.localdate()
    )
    assert points(user("member2").member, A.OPINION_ADOPT, keep) > 0


def test_issue_numbers_are_gap_free_and_items_in_one_issue(opinion_in, user):
    a, b, c = (opinion_in("accepted") for _ in range(3))
    info = user("info")
    last = OpinionIssue.objects.filter(organisation=a.organisation, year=timezone.localdate().year).count()
    i1 = services.issue_create(user=info, kind="special", opinion_ids=[a.pk], signer="张主席")
    i2 = services.issue_create(user=info, kind="digest", opinion_ids=[b.pk, c.pk])
    assert (i1.number, i2.number) == (last + 1, last + 2)
    with pytest.raises(Conflict):
        services.issue_create(user=info, kind="special", opinion_ids=[a.pk])
    with pytest.raises(Invalid):
        services.issue_create(user=info, kind="special", opinion_ids=[b.pk, c.pk])
    with pytest.raises(Invalid):
        services.issue_publish(user=info, issue=i2)  # no signer yet
    services.issue_publish(user=info, issue=i1)
    with pytest.raises(Conflict):
        services.opinion_edit(user=info, opinion=a, edited_title="再改")
    a.refresh_from_db()
    assert a.issue_id == i1.pk


def test_forward_to_the_city_and_adoption_seen_on_the_county_item(opinion_in, user):
    o = opinion_in("accepted")
    info, city = user("info"), user("citystaff")
    county = o.organisation
    with pytest.raises(Invalid):
        services.opinion_forward(user=info, opinion=o, organisation=county.pk)  # not above
    copy = services.opinion_forward(user=info, opinion=o, organisation=county.get_parent().pk)
    assert copy.status == "submitted" and copy.organisation_id == county.get_parent().pk
    with pytest.raises(Conflict):
        services.opinion_forward(user=info, opinion=o, organisation=county.get_parent().pk)
    assert copy.pk in [x.pk for x in selectors.opinion_list(city, queue=True)]
    # The copy belongs to the city's queue: nobody below writes or resubmits it, and it is not returned.
    assert "return" not in selectors.allowed_actions(city, copy)
    with pytest.raises(Conflict):
        services.opinion_review(user=city, opinion=copy, decision="return", reason="请补充")
    with pytest.raises(NotFound):
        services.opinion_update(user=info, opinion=copy, title="县里再改")
    with pytest.raises(Forbidden):
        services.opinion_update(user=user("member1"), opinion=copy, title="作者再改")
    services.opinion_review(user=city, opinion=copy, decision="accept")
    with pytest.raises(Invalid):
        services.adoption_add(user=city, opinion=copy, level="county", body="县委")  # below the city's level
    services.adoption_add(
        user=city, opinion=copy, level="city", body="市委办公室", adopted_on=timezone.localdate()
    )
    d = selectors.detail(user("member1"), o.pk)
    assert [a.level for a in d.adoptions] == ["city"]
    assert [c.organisation.name for c in d.upward] == [county.get_parent().name]
    m1 = user("member1").member
    before = points(m1, A.OPINION_ADOPT_CITY, o)
    # The county records the same city adoption: no second credit.
    services.adoption_add(
        user=info, opinion=o, level="city", body="市委办公室", adopted_on=timezone.localdate()
    )
    assert points(m1, A.OPINION_ADOPT_CITY, o) == before > 0
    # Revoking one keeps the points while another record of that level stands.
    a = Adoption.objects.filter(opinion=o).get()
    services.adoption_revoke(user=info, adoption=a, reason="重复登记")
    assert points(m1, A.OPINION_ADOPT_CITY, o) == before


def test_instruction_with_a_unit_lands_in_its_inbox(opinion_in, user):
    from zhengxie.handling.selectors import inbox

    o = opinion_in("accepted")
    unit = user("handler1").handling_unit
    with pytest.raises(Invalid):
        services.instruction_add(user=user("info"), opinion=o, leader="县长 李明", level="county", content="")
    i = services.instruction_add(
        user=user("info"),
        opinion=o,
        leader="县长 李明",
        level="county",
        content="请县教育局牵头研究落实。",
        unit=unit.pk,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    assert i.case.kind == "opinion_instruction" and i.case.stage == Case.Stage.HANDLING
    items = inbox(user("handler1"), kind="opinion_instruction")
    assert i.case_id in [a.case_id for a in items]
    # The demo county's 桐城 scheme gives 批示 no points of its own, but the act is on record.
    assert DutyRecord.objects.filter(
        member=user("member1").member, act=A.OPINION_INSTRUCTION, source_id=str(i.pk), voided=False
    ).exists()


def test_a_proposal_converted_at_review_becomes_a_submitted_item(user, db):
    from zhengxie.proposals import services as proposals

    m = user("member1")
    p = proposals.proposal_create(
        user=m,
        kind="individual",
        title="关于村卫生室药品短缺的情况反映",
        reasons="部分村卫生室常用药品短缺。",
        suggestions="建议完善基层药品配送。",
        category="科教文卫",
    )
    proposals.proposal_submit(user=m, proposal=p, confirm_single_matter=True)
    proposals.proposal_review(
        user=user("staff"), proposal=p, decision="to_opinion", reason="更适合以社情民意反映"
    )
    o = Opinion.objects.get(source_proposal=p)
    assert o.status == "submitted" and o.title == p.title
    assert [a.member_id for a in o.authors.all()] == [m.member.pk]
    assert o.pk in [x.pk for x in selectors.opinion_list(user("info"), queue=True)]
    assert DutyRecord.objects.filter(member=m.member, act=A.OPINION_SUBMIT, voided=False).exists()


def test_the_city_accepting_a_county_item_names_the_city_and_links_where_each_may_read(opinion_in, user):
    """#9: the notice of the city's 录用 said only 已被录用 (录用 by whom?), and the county's 信息科, who
    forwarded it, was sent to the city's copy, a page it may not open."""
    from zhengxie.core.models import Notification

    o = opinion_in("accepted")
    info, city, m1 = user("info"), user("citystaff"), user("member1")
    county, city_org = o.organisation, o.organisation.get_parent()
    copy = services.opinion_forward(user=info, opinion=o, organisation=city_org.pk)
    start = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    services.opinion_review(user=city, opinion=copy, decision="accept")
    notes = {n.user.username: n for n in Notification.objects.filter(id__gt=start).select_related("user")}
    assert notes["member1"].title == f"您报送的社情民意信息《{copy.title}》已被{city_org.name}录用"
    assert notes["info"].title == notes["member1"].title
    # Each opens an item they may read: the member the city's copy, the county's office its own item.
    assert notes["member1"].url == services.opinion_url(copy)
    assert notes["info"].url == services.opinion_url(o)
    assert selectors.get_opinion(m1, copy.pk) and selectors.get_opinion(info, o.pk)
    # The county's own 录用 names the county.
    own = opinion_in("submitted", title="城区停车难问题")
    services.opinion_review(user=info, opinion=own, decision="accept")
    assert Notification.objects.filter(
        user=m1, title=f"您报送的社情民意信息《城区停车难问题》已被{county.name}录用"
    ).exists()


def test_an_adoption_notice_names_the_level_recorded(opinion_in, user):
    """#9: 「…被市委办公室采用」 did not say at which level it was recorded (what it counts as, and its points)."""
    from zhengxie.core.models import Notification

    info, m1 = user("info"), user("member1")
    o = opinion_in("accepted")
    day = timezone.localdate()
    services.adoption_add(user=info, opinion=o, level="city", body="市委办公室", adopted_on=day)
    services.adoption_add(user=info, opinion=o, level="county", body="县委办公室", adopted_on=day)
    titles = set(
        Notification.objects.filter(user=m1, title__contains=o.display_title).values_list("title", flat=True)
    )
    assert f"您的社情民意信息《{o.display_title}》被市委办公室采用（市级采用）" in titles
    assert f"您的社情民意信息《{o.display_title}》被县委办公室采用（县级采用）" in titles
