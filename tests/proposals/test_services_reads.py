"""Selectors: who sees which proposal, lists with a constant number of queries, queues, allowed actions."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.proposals import selectors, services
from zhengxie.proposals.models import Proposal

from .conftest import TEXT, pdf_upload

S = Proposal.Status


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_members_see_what_they_sign_and_only_their_own_drafts(user, proposal_in):
    mine = proposal_in("draft")
    joint = proposal_in("submitted", author="member2", cosigners=["member1"])
    others = proposal_in("submitted", author="member2")
    seen = _ids(selectors.visible_proposals(user("member1")))
    assert {mine.pk, joint.pk} <= seen and others.pk not in seen
    assert mine.pk not in _ids(selectors.visible_proposals(user("member2")))
    assert mine.pk not in _ids(selectors.visible_proposals(user("staff")))
    with pytest.raises(Http404):
        selectors.get_proposal(user("member2"), mine.pk)
    with pytest.raises(Http404):
        selectors.get_proposal(user("member1"), "abc")


def test_staff_and_leaders_see_their_county_other_county_nothing(user, proposal_in):
    p = proposal_in("submitted")
    for name in ("staff", "leader", "office", "admin", "citystaff"):
        assert p.pk in _ids(selectors.visible_proposals(user(name))), name
    for name in ("other", "auditor", "liaison", "handler1"):
        assert p.pk not in _ids(selectors.visible_proposals(user(name))), name
    with pytest.raises(Http404):
        selectors.get_proposal(user("other"), p.pk)


def test_units_see_only_what_is_assigned_to_them(user, proposal_in):
    p = proposal_in("assigned")
    assert p.pk in _ids(selectors.visible_proposals(user("handler1")))
    assert p.pk in _ids(selectors.visible_proposals(user("unithead1")))
    assert p.pk not in _ids(selectors.visible_proposals(user("handler2")))
    assert p.pk in _ids(selectors.unit_inbox(user("handler1")))
    seen = selectors.visible_proposals(user("handler2"))
    assert all(a for a in seen.values_list("case__assignments__unit__short_name", flat=True))


def test_queues(user, proposal_in):
    sub = proposal_in("submitted")
    assert sub.pk in _ids(selectors.review_queue(user("staff")))
    assert not selectors.review_queue(user("office")).exists()
    assert not selectors.review_queue(user("citystaff")).exists()
    keyed = _ids(selectors.key_proposals_for_leader(user("leader")))
    assert keyed and all(p.key_leader.username == "leader" for p in Proposal.objects.filter(pk__in=keyed))
    assert not selectors.unit_inbox(user("member1")).exists()


def test_list_filters(user, units, proposal_in):
    p = proposal_in(
        "handling",
        lead="住建局",
        title="关于加快老旧小区加装电梯的建议",
        category="城乡建设",
        reasons="老旧小区老人上下楼难。",
        suggestions="一是简化加装电梯审批；二是给予资金补助。",
    )
    staff = user("staff")
    assert p.pk in _ids(
        selectors.proposal_list(staff, status="handling", category="城乡建设", unit=units["住建局"].pk)
    )
    assert p.pk not in _ids(selectors.proposal_list(staff, unit=units["教育局"].pk))
    assert p.pk in _ids(selectors.proposal_list(staff, light="green"))
    assert p.pk not in _ids(selectors.proposal_list(staff, light="red"))
    assert p.pk in _ids(selectors.proposal_list(staff, status="handling,replied"))
    assert p.pk in _ids(selectors.proposal_list(staff, session=p.session_id, key=False))
    assert p.pk in _ids(selectors.proposal_list(staff, q=f"第{p.number:04d}号"))
    assert p.pk in _ids(selectors.proposal_list(user("member1"), mine=True))
    assert p.pk not in _ids(selectors.proposal_list(user("member2"), mine=True))


def test_chinese_search_finds_words_inside_the_text(user, proposal_in):
    p = proposal_in(
        "submitted",
        title="关于加快老旧小区加装电梯的建议",
        category="城乡建设",
        reasons="老旧小区老年人上下楼困难。",
        suggestions="一是简化审批流程；二是给予资金补助。",
    )
    found = _ids(selectors.proposal_list(user("staff"), q="电梯"))
    assert p.pk in found
    assert p.pk in _ids(selectors.proposal_list(user("staff"), q="审批 补助"))
    assert p.pk not in _ids(selectors.proposal_list(user("staff"), q="茶产业"))
    assert p.pk not in _ids(selectors.proposal_list(user("other"), q="电梯"))


def test_search_finds_every_match_with_other_filters_and_falls_back_to_title_fragments(user, proposal_in):
    staff = user("staff")
    ps = [proposal_in("handling", title=f"关于完善农村寄递物流网点第{i}批建设的建议") for i in range(3)]
    other = proposal_in("handling", title="关于加强校园食品安全管理的建议")
    found = _ids(selectors.proposal_list(staff, q="寄递物流", session=ps[0].session_id, status="handling"))
    assert {p.pk for p in ps} <= found and other.pk not in found
    # No text holds the words of a fragment cut across them: titles holding it as typed are found instead.
    assert _ids(selectors.proposal_list(staff, q="递物")) >= {p.pk for p in ps}
    assert other.pk not in _ids(selectors.proposal_list(staff, q="递物"))
    assert not _ids(
        selectors.proposal_list(staff, q="的 了")
    )  # stop words alone: no word to find, no such title


def test_search_runs_the_same_queries_however_many_proposals_match(user, proposal_in):
    staff = user("staff")
    proposal_in("handling", title="关于推进城区海绵城市建设的建议")

    def page():
        return [p.pk for p in selectors.proposal_list(staff, q="海绵城市")[:20]]

    page()  # the user's roles and organisation are cached on first use
    with CaptureQueriesContext(connection) as first:
        assert len(page()) == 1
    for _ in range(5):
        proposal_in("handling", title="关于加快海绵城市改造的建议")
    with CaptureQueriesContext(connection) as second:
        assert len(page()) == 6
    assert len(second) == len(first)


def _rows(user):
    out = []
    for p in selectors.proposal_list(user)[:50]:
        lead = next((a.unit.name for a in p.active_assignments if a.role == "lead"), "")
        out.append(
            (
                p.session.name,
                p.lead_member.name if p.lead_member else "",
                lead,
                [s.member.name for s in p.signers.all()],
            )
        )
    return out


@pytest.mark.parametrize("username", ["staff", "member1", "handler1"])
def test_list_and_visibility_run_a_constant_number_of_queries(user, proposal_in, username):
    u = user(username)
    with CaptureQueriesContext(connection) as first:
        _rows(u)
        list(selectors.visible_proposals(u))
    for i in range(6):
        proposal_in("handling", cosigners=["member2", "member3"] if i % 2 else (), co=["人社局"])
    u = user(username)
    with CaptureQueriesContext(connection) as second:
        rows = _rows(u)
        list(selectors.visible_proposals(u))
    assert rows
    assert len(second) == len(first), [q["sql"][:120] for q in second.captured_queries]


def test_list_query_count_is_small(user, django_assert_max_num_queries):
    u = user("staff")
    with django_assert_max_num_queries(8):
        _rows(u)


def test_allowed_actions_follow_role_and_state(user, proposal_in):
    d = proposal_in("draft", cosigners=["member2"])
    assert selectors.allowed_actions(user("member1"), d) == {"edit", "submit", "delete"}
    services.proposal_submit(user=user("member1"), proposal=d)
    assert selectors.allowed_actions(user("member2"), d) == {"cosign"}
    assert selectors.allowed_actions(user("member1"), d) == {"drop_decliners", "withdraw"}
    p = proposal_in("submitted")
    assert selectors.allowed_actions(user("staff"), p) == {"review"}
    assert selectors.allowed_actions(user("member1"), p) == {"withdraw"}  # the first proposer, before review
    assert selectors.allowed_actions(user("leader"), p) == set()
    services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    assert selectors.allowed_actions(user("staff"), p) == {"assign", "mark_key", "mark_excellent"}
    assert selectors.allowed_actions(user("leader"), p) == {"mark_key"}
    services.proposal_assign(user=user("staff"), proposal=p, lead_unit=user("handler1").handling_unit)
    assert selectors.allowed_actions(user("handler1"), p) == {
        "acknowledge",
        "record_contact",
        "request_change",
        "reply",
    }
    assert selectors.allowed_actions(user("staff"), p) == {"extend", "remind", "mark_key", "mark_excellent"}
    services.assignment_request_change(user=user("handler1"), proposal=p, reason="职责不符")
    assert "decide_change" in selectors.allowed_actions(user("staff"), p)
    assert "request_change" not in selectors.allowed_actions(user("handler1"), p)
    services.assignment_decide_change(
        user=user("staff"), assignment=p.assignments.get(), grant=False, note="属本单位职责，请继续办理。"
    )
    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已解决。")
    assert selectors.allowed_actions(user("member1"), p) == {"evaluate"}
    assert selectors.allowed_actions(user("handler1"), p) == set()
    assert selectors.allowed_actions(user("staff"), p) == {"evaluate", "mark_key", "mark_excellent"}
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    assert selectors.allowed_actions(user("member1"), p) == set()
    assert selectors.allowed_actions(user("staff"), p) == {"close", "mark_key", "mark_excellent"}
    services.proposal_close(user=user("staff"), proposal=p)
    assert selectors.allowed_actions(user("handler1"), p) == set()


def test_similar_proposals_over_this_and_past_sessions(user, proposal_in):
    p = proposal_in(
        "submitted",
        title="关于推动茶产业品牌建设的建议",
        category="农业农村",
        reasons="我县茶叶品牌知名度不高。",
        suggestions="一是打造茶叶区域公用品牌；二是扶持茶企精深加工。",
    )
    found = selectors.similar_proposals(user("staff"), text=p.title + p.suggestions, exclude_id=p.pk)
    assert found and p.pk not in [f["id"] for f in found]
    assert any("茶产业" in f["title"] for f in found)
    assert {"id", "title", "score", "status", "session", "number"} <= set(found[0])
    assert len({f["session"] for f in found}) >= 1
    assert found == sorted(found, key=lambda f: -f["score"])
    # member drafting sees it too; another county sees nothing of ours
    assert p.pk in [f["id"] for f in selectors.similar_proposals(user("member2"), text="茶产业品牌 精深加工")]
    assert selectors.similar_proposals(user("other"), text="茶产业品牌 精深加工") == []
    draft = proposal_in("draft", author="member2", title="关于茶产业品牌推广的建议", category="农业农村")
    assert draft.pk not in [
        f["id"] for f in selectors.similar_proposals(user("member1"), text="茶产业品牌推广")
    ]


def test_reply_letter_download_follows_proposal_visibility(user, client_for, proposal_in):
    p = proposal_in("handling")
    services.proposal_reply(
        user=user("handler1"), proposal=p, result_class="A", content="已解决。", letter=pdf_upload()
    )
    att = p.replies.get().letter
    url = reverse("core:attachment", args=[att.pk])
    assert client_for("member1").get(url).status_code == 200
    assert client_for("staff").get(url).status_code == 200
    # Accepted proposals are open to the committee's members, not to units that don't handle them.
    assert client_for("member2").get(url).status_code == 200
    assert client_for("handler2").get(url).status_code == 404
    assert client_for("other").get(url).status_code == 404


def test_text_helper_is_usable_by_pages(user):
    assert "title" in TEXT  # the fixture text is one matter
    assert not services.second_matter(TEXT["title"], TEXT["suggestions"])
