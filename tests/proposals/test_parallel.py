"""分办: several units each answer their part of one proposal; each reply is rated on its own, and a
reply rated 不满意 sends only that unit back to re-handle."""

import json

import pytest
from django.urls import reverse

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.handling import jobs as spine_jobs
from zhengxie.proposals import reporting, selectors, services, stats
from zhengxie.proposals.models import Assignment, Proposal, Reply

from .conftest import pdf_upload

S = Proposal.Status


@pytest.fixture
def parallel(user, units, proposal_in):
    """An accepted joint proposal (member1 + member2) assigned to 教育局 and 住建局 in parallel."""

    def make():
        p = proposal_in("accepted", cosigners=["member2"])
        services.proposal_assign(
            user=user("staff"), proposal=p, lead_unit=units["教育局"], parallel_units=[units["住建局"]]
        )
        return p

    return make


def _reply(user, p, handler, cls="A"):
    return services.proposal_reply(user=user(handler), proposal=p, result_class=cls, content="已按职责办理。")


def _reply_of(p, unit):
    return Reply.objects.filter(case_id=p.case_id, assignment__unit=unit).order_by("-id").first()


def test_each_unit_replies_and_the_proposal_is_replied_when_all_have(user, units, parallel):
    p = parallel()
    roles = sorted(Assignment.objects.filter(case_id=p.case_id).values_list("role", flat=True))
    assert roles == ["parallel", "parallel"]
    assert "reply" in selectors.allowed_actions(user("handler1"), p)
    _reply(user, p, "handler1")
    p.refresh_from_db()
    assert p.status == S.HANDLING and p.replied_at is None
    # The unit that replied may not reply again; the other one still may.
    assert "reply" not in selectors.allowed_actions(user("handler1"), p)
    assert "reply" in selectors.allowed_actions(user("handler2"), p)
    with pytest.raises(Conflict, match="已答复"):
        _reply(user, p, "handler1")
    # Proposers may rate the first reply already.
    assert "evaluate" in selectors.allowed_actions(user("member1"), p)
    _reply(user, p, "handler2", "B")
    p.refresh_from_db()
    assert p.status == S.REPLIED and p.replied_at is not None and p.light == ""
    labels = list(p.events.values_list("label", flat=True))
    assert any("分办 1/2" in x for x in labels) and any("分办 2/2" in x for x in labels)


def test_each_reply_is_rated_on_its_own_and_close_waits_for_all(user, units, parallel):
    p = parallel()
    _reply(user, p, "handler1")
    _reply(user, p, "handler2")
    with pytest.raises(Invalid, match="请选择要评价的答复"):
        services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    edu = _reply_of(p, units["教育局"])
    for name in ("member1", "member2"):
        services.proposal_evaluate(user=user(name), proposal=p, rating="satisfied", reply=edu.pk)
    with pytest.raises(Conflict, match="已评价"):
        services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied", reply=edu.pk)
    ok, why = selectors.closable(p)
    assert not ok and "尚未全部评价" in why
    # One reply left to rate: no need to pick it.
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="basically_satisfied")
    services.proposal_evaluate(user=user("member2"), proposal=p, rating="satisfied")
    assert selectors.closable(p) == (True, "")
    services.proposal_close(user=user("staff"), proposal=p)
    p.refresh_from_db()
    assert p.status == S.CLOSED


def test_unsatisfied_sends_back_only_that_unit(user, units, parallel):
    p = parallel()
    _reply(user, p, "handler1")
    _reply(user, p, "handler2")
    housing = _reply_of(p, units["住建局"])
    services.proposal_evaluate(
        user=user("member1"), proposal=p, rating="unsatisfied", comment="未落实停车位。", reply=housing.pk
    )
    p.refresh_from_db()
    assert p.status == S.REHANDLING and p.rehandle_round == 2
    assert "reply" in selectors.allowed_actions(user("handler2"), p)
    assert "reply" not in selectors.allowed_actions(user("handler1"), p)
    with pytest.raises(Conflict, match="已答复"):
        _reply(user, p, "handler1")
    # The other unit's reply can still be rated meanwhile; the sent-back one cannot.
    edu = _reply_of(p, units["教育局"])
    services.proposal_evaluate(user=user("member2"), proposal=p, rating="satisfied", reply=edu.pk)
    with pytest.raises(Conflict, match="退回重新办理"):
        services.proposal_evaluate(user=user("member2"), proposal=p, rating="satisfied", reply=housing.pk)
    _reply(user, p, "handler2", "A")
    p.refresh_from_db()
    assert p.status == S.REPLIED
    answers = selectors.unit_answers(p)
    assert [a.reply.pk for a in answers if a.assignment.unit_id == units["住建局"].pk] != [housing.pk]


def test_bad_parallel_assignments_are_refused(user, units, proposal_in):
    p = proposal_in("accepted")
    with pytest.raises(Invalid, match="不再指定会办单位"):
        services.proposal_assign(
            user=user("staff"),
            proposal=p,
            lead_unit=units["教育局"],
            parallel_units=[units["住建局"]],
            co_units=[units["人社局"]],
        )
    with pytest.raises(Invalid, match="承办单位"):
        services.proposal_assign(
            user=user("staff"), proposal=p, lead_unit=units["教育局"], parallel_units=[999999]
        )
    p.refresh_from_db()
    assert p.status == S.ACCEPTED and not p.assignments.exists()
    with pytest.raises(Forbidden):
        services.proposal_assign(
            user=user("member1"), proposal=p, lead_unit=units["教育局"], parallel_units=[units["住建局"]]
        )


def test_statistics_count_one_reply_per_unit(user, units, parallel):
    p = parallel()
    _reply(user, p, "handler1", "A")
    _reply(user, p, "handler2", "B")
    housing = _reply_of(p, units["住建局"])
    services.proposal_evaluate(
        user=user("member1"), proposal=p, rating="unsatisfied", comment="不具体。", reply=housing.pk
    )
    _reply(user, p, "handler2", "A")
    s = stats.session_stats(user("staff"), p.session)
    by_unit = {u["unit_id"]: u for u in s["by_unit"]}
    # The re-handling reply replaces the one rated 不满意: each unit counts once, with its latest class.
    assert by_unit[units["住建局"].pk]["classes"]["A"] >= 1
    assert by_unit[units["住建局"].pk]["lead"] >= 1 and by_unit[units["教育局"].pk]["lead"] >= 1
    latest = Reply.objects.filter(case__session=p.session, assignment__role__in=["lead", "parallel"])
    latest_count = len({r.assignment_id for r in latest})
    assert s["totals"]["replies"] == latest_count


def test_parallel_through_the_pages(user, units, client_for, proposal_in):
    p = proposal_in("accepted", cosigners=["member2"])
    staff = client_for("staff")
    url = reverse("proposals:action", args=[p.pk, "assign"])
    # 分办 without a second unit: a Chinese message, and what was chosen is kept.
    r = staff.post(url, {"mode": "parallel", "lead_unit": units["教育局"].pk})
    assert r.status_code == 422 and "分办请至少再选择一个分办单位" in r.content.decode()
    r = staff.post(
        url, {"mode": "parallel", "lead_unit": units["教育局"].pk, "parallel_units": [units["住建局"].pk]}
    )
    assert r.status_code == 302
    for handler in ("handler1", "handler2"):
        c = client_for(handler)
        r = c.post(
            reverse("proposals:action", args=[p.pk, "reply"]),
            {"result_class": "A", "content": "已办理。", "letter": pdf_upload()},
        )
        assert r.status_code == 302, r.content.decode()[:500]
    page = client_for("member1").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "评价哪个单位的答复" in page
    assert f"{units['教育局'].name}的答复" in page and f"{units['住建局'].name}的答复" in page
    edu = _reply_of(p, units["教育局"])
    r = client_for("member1").post(
        reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied"}
    )
    assert r.status_code == 422 and "请选择要评价的答复" in r.content.decode()
    r = client_for("member1").post(
        reverse("proposals:action", args=[p.pk, "evaluate"]), {"rating": "satisfied", "reply": edu.pk}
    )
    assert r.status_code == 302
    assert p.evaluations.get(member__user__username="member1").reply_id == edu.pk


def test_parallel_through_the_api(user, units, api_for, proposal_in):
    p = proposal_in("accepted")
    staff = api_for("staff")
    base = f"/api/v1/proposals/{p.pk}"
    r = staff.post(
        f"{base}/assign",
        json.dumps({"lead_unit_id": units["教育局"].pk, "parallel_unit_ids": [units["住建局"].pk]}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert sorted(a["role"] for a in r.json()["assignments"]) == ["parallel", "parallel"]
    for handler in ("handler1", "handler2"):
        r = api_for(handler).post(
            f"{base}/reply",
            json.dumps({"result_class": "A", "content": "已办理。"}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
    r = api_for("handler1").post(f"{base}/reply/letter", {"file": pdf_upload()})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "replied"
    replies = {x["unit_id"]: x for x in body["replies"]}
    assert set(replies) == {units["教育局"].pk, units["住建局"].pk}
    member = api_for("member1")
    r = member.post(f"{base}/evaluate", json.dumps({"rating": "satisfied"}), content_type="application/json")
    assert r.status_code == 422 and "请选择" in r.json()["detail"]
    r = member.post(
        f"{base}/evaluate",
        json.dumps({"rating": "satisfied", "reply_id": replies[units["住建局"].pk]["id"]}),
        content_type="application/json",
    )
    assert r.status_code == 200
    # The letter can be fetched over the API with the token; another county cannot see it.
    letter = r.json()["replies"]
    url = next(x["letter_api_url"] for x in letter if x["unit_id"] == units["教育局"].pk)
    got = member.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert api_for("other").get(url).status_code == 404


def test_red_light_chases_only_the_units_that_still_owe_a_reply(user, units, parallel):
    import datetime

    from django.utils import timezone

    from zhengxie.core.models import Notification

    p = parallel()
    _reply(user, p, "handler1")  # 教育局 has answered its part; 住建局 has not
    Proposal.objects.filter(pk=p.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    reporting.sync([p.pk])
    spine_jobs.check_lights()
    red = Notification.objects.filter(title__startswith="【红灯】", url__endswith=f"/proposals/{p.pk}/")
    assert red.filter(user__username="handler2").exists()
    assert not red.filter(user__username="handler1").exists()
    assert not red.filter(user__username="unithead1").exists()


def test_a_unit_whose_part_is_answered_leaves_the_inbox_until_sent_back(user, units, parallel):
    p = parallel()
    _reply(user, p, "handler1")
    assert p.pk not in set(selectors.unit_inbox(user("handler1")).values_list("pk", flat=True))
    assert p.pk in set(selectors.unit_inbox(user("handler2")).values_list("pk", flat=True))
    edu = _reply_of(p, units["教育局"])
    services.proposal_evaluate(
        user=user("member1"), proposal=p, rating="unsatisfied", comment="师资部分不具体。", reply=edu.pk
    )
    assert p.pk in set(selectors.unit_inbox(user("handler1")).values_list("pk", flat=True))


def test_the_rating_to_do_counts_a_proposal_until_each_units_reply_is_rated(user, units, parallel):
    from zhengxie.proposals.nav import proposal_todos

    def to_rate():
        return next(i["count"] for i in proposal_todos(user("member2")) if i["label"] == "待评价的提案答复")

    before = to_rate()
    p = parallel()
    _reply(user, p, "handler1")
    assert to_rate() == before + 1  # 分办: the first unit's reply can be rated already
    _reply(user, p, "handler2")
    services.proposal_evaluate(
        user=user("member2"), proposal=p, rating="satisfied", reply=_reply_of(p, units["教育局"]).pk
    )
    assert to_rate() == before + 1  # one unit's reply is still waiting
    services.proposal_evaluate(user=user("member2"), proposal=p, rating="satisfied")
    assert to_rate() == before
