"""承办工作台 (/handling/): a unit's handlers and head see everything their unit owes, whatever its kind,
and nothing of other units; the filters narrow it; a unit whose 分办 reply stands drops out and comes
back when the reply is rated 不满意."""

from urllib.parse import unquote

import pytest

from tests.proposals.builders import build
from zhengxie.proposals import reporting, services
from zhengxie.proposals.models import Assignment, Proposal, Reply

from .helpers import days, messages_of, owed, rows, text, with_light

pytestmark = pytest.mark.django_db

MINE = "关于甲乡中心校校舍维修的提案"
THEIRS = "关于乙镇老旧小区雨污分流改造的提案"


def test_the_unit_sees_its_owed_items_with_kind_deadline_and_light_and_nothing_of_other_units(
    client_for, user
):
    mine = build(title=MINE, light="red", deadline=days(-3))
    build(title=THEIRS, unit_name="县住房和城乡建设局")
    edu = user("handler1").handling_unit
    c = client_for("handler1")

    r = c.get("/handling/")
    assert r.status_code == 200
    assert "承办工作台" in text(r)
    # Every row is the unit's own, and all it owes are there.
    assert r.context["page_obj"].paginator.count == owed(unit=edu).count()
    assert {x["unit"]["id"] for x in rows(r)} == {edu.pk}

    r = c.get("/handling/", {"q": "甲乡中心校"})
    [row] = rows(r)
    assert row["case_id"] == mine.case_id and row["id"] == mine.pk
    assert row["kind_label"] == "提案" and row["light"] == "red"
    html = text(r)
    assert MINE in html and "提案</span>" in html
    assert f"{days(-3):%Y-%m-%d}" in html
    assert 'class="light-dot light-red" role="img" aria-label="红灯"' in html
    # The light's column is named (on a phone each row is a card whose lines read their column's name).
    assert '<th><span class="visually-hidden">督办灯</span></th><th>类型</th>' in html
    assert f'href="/proposals/{mine.pk}/"' in html

    # The other unit's item is nowhere, not even when searched for.
    r = c.get("/handling/", {"q": "乙镇老旧小区"})
    assert rows(r) == [] and THEIRS not in text(r)
    assert "没有符合条件的待办事项。" in text(r)


def test_the_summary_counts_what_the_unit_owes(client_for, user):
    build(title=MINE, light="red", deadline=days(-1))
    edu = user("handler1").handling_unit
    r = client_for("handler1").get("/handling/")
    summary = r.context["summary"]
    mine = owed(unit=edu)
    assert summary["total"] == mine.count()
    assert summary["red"] == len(with_light(mine, "red")) >= 1
    assert summary["yellow"] == len(with_light(mine, "yellow"))
    assert summary["unacknowledged"] == mine.filter(acknowledged_at__isnull=True).count()


@pytest.fixture
def three(db):
    """Three items of 县教育局 whose titles share 筛选样例: red (signed), yellow (signed), not yet signed
    for (签收) and green."""
    red = build(title="筛选样例：关于校车安全的提案", light="red", deadline=days(-2))
    yellow = build(title="筛选样例：关于课后服务的提案", light="yellow", deadline=days(10))
    unsigned = build(title="筛选样例：关于乡村教师队伍的提案", light="green", deadline=days(80))
    Assignment.objects.filter(case_id=unsigned.case_id).update(acknowledged_at=None)
    return red, yellow, unsigned


def _ids(r):
    return [x["id"] for x in rows(r)]


def test_filters_kind_light_status_search_and_sort(client_for, three):
    red, yellow, unsigned = three
    c = client_for("handler1")
    q = {"q": "筛选样例"}
    assert sorted(_ids(c.get("/handling/", q))) == sorted([red.pk, yellow.pk, unsigned.pk])
    assert sorted(_ids(c.get("/handling/", {**q, "kind": "proposal"}))) == sorted(
        [red.pk, yellow.pk, unsigned.pk]
    )
    assert _ids(c.get("/handling/", {**q, "light": "red"})) == [red.pk]
    assert _ids(c.get("/handling/", {**q, "light": "yellow"})) == [yellow.pk]
    assert _ids(c.get("/handling/", {**q, "status": "unacknowledged"})) == [unsigned.pk]
    r = c.get("/handling/", {**q, "status": "unacknowledged"})
    assert "未签收" in text(r)
    # A search on the number label finds the item too.
    unsigned_label = Proposal.objects.get(pk=unsigned.pk).number_label
    assert unsigned.pk in _ids(c.get("/handling/", {"q": unsigned_label}))
    # Nearest deadline first by default; the other way round on request.
    by_deadline = sorted([red, yellow, unsigned], key=lambda p: Proposal.objects.get(pk=p.pk).deadline)
    assert _ids(c.get("/handling/", q)) == [p.pk for p in by_deadline]
    assert _ids(c.get("/handling/", {**q, "sort": "-deadline"})) == [p.pk for p in reversed(by_deadline)]
    # The chosen filters stay selected in the form.
    html = text(c.get("/handling/", {**q, "light": "red"}))
    assert '<option value="red" selected>' in html and 'value="筛选样例"' in html


def test_a_bad_filter_says_so_in_chinese_and_shows_everything(client_for, user):
    c = client_for("handler1")
    r = c.get("/handling/", {"light": "purple"})
    assert r.status_code == 200
    assert "督办灯须为 red、yellow 或 green。" in messages_of(r)
    assert r.context["page_obj"].paginator.count == owed(unit=user("handler1").handling_unit).count()
    r = c.get("/handling/", {"kind": "nonsense"})
    assert any(m.startswith("类型不正确，须为 proposal（提案）、") for m in messages_of(r))


@pytest.fixture
def parallel(user, units, proposal_in):
    """A joint proposal (member1 + member2) assigned to 教育局 and 住建局 in parallel (分办)."""
    p = proposal_in("accepted", cosigners=["member2"], title="关于加强乡村学校教师队伍建设的建议（分办）")
    services.proposal_assign(
        user=user("staff"), proposal=p, lead_unit=units["教育局"], parallel_units=[units["住建局"]]
    )
    return p


def _case_ids(client, **params):
    return {x["case_id"] for x in rows(client.get("/handling/", {"q": "分办", **params}))}


def test_a_parallel_unit_whose_reply_stands_drops_out_and_comes_back_when_rated_unsatisfied(
    client_for, user, units, parallel
):
    p = parallel
    edu, housing = client_for("handler1"), client_for("handler2")
    assert p.case_id in _case_ids(edu) and p.case_id in _case_ids(housing)

    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已按职责办理。")
    assert p.case_id not in _case_ids(edu)  # 教育局's reply stands: nothing owed
    assert p.case_id in _case_ids(housing)  # 住建局 has not replied yet

    reply = Reply.objects.get(case_id=p.case_id, assignment__unit=units["教育局"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied", reply=reply.pk)
    assert p.case_id not in _case_ids(edu)  # a good rating leaves it out
    services.proposal_evaluate(
        user=user("member2"),
        proposal=p,
        rating="unsatisfied",
        comment="未解决教师周转宿舍问题。",
        reply=reply.pk,
    )
    assert p.case_id in _case_ids(edu)  # 不满意: back in 教育局's inbox, to re-handle
    assert p.case_id in _case_ids(housing)
    [row] = [x for x in rows(edu.get("/handling/", {"q": "分办"})) if x["case_id"] == p.case_id]
    assert row["role_label"] == "分办" and row["status"] == "rehandling"

    services.proposal_reply(user=user("handler1"), proposal=p, result_class="A", content="已重新办理。")
    assert p.case_id not in _case_ids(edu)


@pytest.mark.parametrize("username", ["member1", "other", "staff", "leader", "citystaff"])
def test_nobody_but_a_unit_user_opens_the_inbox(client_for, username):
    assert client_for(username).get("/handling/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    r = client.get("/handling/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_the_unit_head_sees_the_same_inbox_and_is_told_of_red_items(client_for, user):
    build(title=MINE, light="red", deadline=days(-3))
    head, handler = client_for("unithead1"), client_for("handler1")
    r = head.get("/handling/")
    assert r.status_code == 200
    assert [x["assignment_id"] for x in rows(r)] == [
        x["assignment_id"] for x in rows(handler.get("/handling/"))
    ]
    red = len(with_light(owed(unit=user("unithead1").handling_unit), "red"))
    assert f"本单位有 {red} 项事项已超过办理期限" in text(r)
    assert "本单位有" not in text(handler.get("/handling/"))  # the reminder to press on is the head's


def test_a_handler_acknowledges_from_the_inbox_row_and_stays_on_the_inbox(client_for, user):
    p = build(title=MINE)
    Assignment.objects.filter(case_id=p.case_id).update(acknowledged_at=None)
    Proposal.objects.filter(pk=p.pk).update(status=Proposal.Status.ASSIGNED)
    reporting.sync([p.pk])
    c = client_for("handler1")
    r = c.get("/handling/", {"q": "甲乡中心校"})
    [row] = rows(r)
    assert not row["acknowledged"] and row["acknowledge_url"] == f"/proposals/{p.pk}/run/acknowledge/"
    assert f'action="/proposals/{p.pk}/run/acknowledge/"' in text(r)

    r = c.post(row["acknowledge_url"], {"next": "/handling/?q=甲乡中心校"})
    assert r.status_code == 302 and unquote(r.url) == "/handling/?q=甲乡中心校"
    a = Assignment.objects.get(case_id=p.case_id, role="lead")
    assert a.acknowledged_at is not None and a.acknowledged_by == user("handler1")
    assert Proposal.objects.get(pk=p.pk).status == Proposal.Status.HANDLING
    [row] = rows(c.get("/handling/", {"q": "甲乡中心校"}))
    assert row["acknowledged"] and row["acknowledge_url"] == ""
    # On the board staff see the node, not a button of the unit's.
    assert 'run/acknowledge/"' not in text(client_for("staff").get("/handling/board/", {"q": "甲乡中心校"}))
