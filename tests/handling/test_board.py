"""督办台 (/handling/board/, GET /api/v1/handling/board): totals by light, unit and kind as the rows say;
batch reminders (催办) to the units that still owe; extensions through the kind's own service."""

import datetime
import re

import pytest

from tests.proposals.builders import build
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.models import Case, Event
from zhengxie.proposals import services
from zhengxie.proposals.models import Assignment, Extension, Proposal

from .helpers import days, messages_of, owed, rows, table_row, text, totals_of

pytestmark = pytest.mark.django_db

BOARD, API_BOARD = "/handling/board/", "/api/v1/handling/board"
REMIND, API_REMIND = "/handling/board/remind/", "/api/v1/handling/remind"
J = "application/json"


def _county_owed(user):
    return owed(case__organisation__path__startswith=user("staff").organisation.path)


def test_the_board_totals_are_what_the_rows_say(client_for, api_for, user, units):
    r = client_for("staff").get(BOARD)
    assert r.status_code == 200 and "督办台" in text(r)
    figures = r.context["figures"]
    assert figures["totals"] == totals_of(_county_owed(user))
    edu = next(u for u in figures["units"] if u["unit_id"] == units["教育局"].pk)
    assert {k: edu[k] for k in ("red", "yellow", "green", "none", "total", "unacknowledged")} == totals_of(
        owed(unit=units["教育局"])
    )
    assert next(k for k in figures["kinds"] if k["kind"] == "proposal") == {
        "kind": "proposal",
        "label": "提案",
        "count": _county_owed(user).filter(case__kind="proposal").count(),
    }
    # The API says the same.
    assert api_for("staff").get(API_BOARD).json() == figures
    # And the page shows the numbers.
    cells = table_row(text(r), "县教育局")
    assert cells[1:] == [str(edu[k]) for k in ("red", "yellow", "green", "unacknowledged", "total")]


def test_new_items_move_the_totals_and_items_no_longer_owed_do_not(client_for, api_for, units):
    before = api_for("staff").get(API_BOARD).json()
    build(title="督办样例一", light="red", deadline=days(-5))
    build(title="督办样例二", light="red", deadline=days(-1))
    build(title="督办样例三", light="yellow", deadline=days(7), unit_name="县住房和城乡建设局")
    build(title="督办样例四", status=Proposal.Status.REPLIED, reply_class="A")  # replied: nothing owed
    after = api_for("staff").get(API_BOARD).json()
    assert after["totals"]["red"] == before["totals"]["red"] + 2
    assert after["totals"]["yellow"] == before["totals"]["yellow"] + 1
    assert after["totals"]["green"] == before["totals"]["green"]
    assert after["totals"]["total"] == before["totals"]["total"] + 3

    def unit(figures, u):
        return next(x for x in figures["units"] if x["unit_id"] == units[u].pk)

    assert unit(after, "教育局")["red"] == unit(before, "教育局")["red"] + 2
    assert unit(after, "住建局")["yellow"] == unit(before, "住建局")["yellow"] + 1
    # One unit only.
    one = api_for("staff").get(API_BOARD, {"unit": units["住建局"].pk}).json()
    assert [u["unit_id"] for u in one["units"]] == [units["住建局"].pk]
    assert one["totals"]["total"] == unit(after, "住建局")["total"]
    page = client_for("staff").get(BOARD, {"unit": units["住建局"].pk})
    assert page.context["figures"] == one
    assert {x["unit"]["id"] for x in rows(page)} == {units["住建局"].pk}


def test_units_are_listed_worst_first(api_for):
    build(title="督办样例一", light="red", deadline=days(-5), unit_name="县住房和城乡建设局")
    units = api_for("staff").get(API_BOARD).json()["units"]
    keys = [(-u["red"], -u["yellow"], -u["total"]) for u in units]
    assert keys == sorted(keys)


def test_a_bad_unit_on_the_board_is_a_message_not_a_server_error(client_for):
    """The unit box takes a name typed without JavaScript (core.pickers): one that names no unit says so."""
    r = client_for("staff").get(BOARD, {"unit": "abc"})
    assert r.status_code == 200
    assert "没有找到名称含“abc”的承办单位。" in messages_of(r)


def test_a_unit_s_name_typed_on_the_board_filters_by_that_unit(client_for):
    build(title="督办按名称一", light="red", deadline=days(-5), unit_name="县住房和城乡建设局")
    build(title="督办按名称二", light="red", deadline=days(-5), unit_name="县教育局")
    r = client_for("staff").get(BOARD, {"unit": "住房和城乡建设"})
    assert "督办按名称一" in text(r) and "督办按名称二" not in text(r)
    assert "selected>县住房和城乡建设局</option>" in text(r)


@pytest.mark.parametrize("username", ["member1", "handler1", "unithead1", "other"])
def test_the_board_is_closed_to_members_and_units(client_for, api_for, username):
    assert client_for(username).get(BOARD).status_code == 404
    r = api_for(username).get(API_BOARD)
    assert r.status_code == 403 and r.json()["detail"] == "只有督办部门、领导和系统管理员可以查看督办台。"


def test_a_leader_sees_the_board_but_not_the_reminder_form(client_for):
    r = client_for("leader").get(BOARD)
    assert r.status_code == 200 and r.context["can_remind"] is False
    assert 'id="remind-form"' not in text(r) and "/extend/" not in text(r)
    r = client_for("staff").get(BOARD)
    assert 'id="remind-form"' in text(r) and "/extend/" in text(r)


# --- 催办 ---------------------------------------------------------------------------------------------


@pytest.fixture
def two(db):
    """A 教育局 and a 住建局 item, both in handling."""
    edu = build(title="催办样例：关于校园食堂管理的提案", deadline=days(40))
    housing = build(
        title="催办样例：关于农村危房改造的提案", unit_name="县住房和城乡建设局", deadline=days(40)
    )
    return edu, housing


def _notes(username, title_part):
    """The 催办 reminders this user received about an item."""
    return list(
        Notification.objects.filter(
            user__username=username, title__startswith="【催办】", title__contains=title_part
        )
    )


def test_a_batch_reminder_from_the_board_reaches_the_owing_units(client_for, user, two):
    edu, housing = two
    r = client_for("staff").post(
        REMIND, {"case": [edu.case_id, housing.case_id], "note": "请本周内答复", "next": BOARD}, follow=True
    )
    assert r.redirect_chain[-1][0] == BOARD
    assert messages_of(r) == [
        f"已向 2 项事项的承办单位发送催办提醒：{edu.number_label}《{edu.title}》；{housing.number_label}《{housing.title}》。"
    ]

    [n] = _notes("handler1", "校园食堂管理")
    assert n.title.startswith("【催办】提案") and n.body.startswith("请本周内答复；")
    assert f"{days(40):%Y年%m月%d日}" in n.body and n.url == f"/proposals/{edu.pk}/"
    [n] = _notes("handler2", "农村危房改造")
    assert not _notes("handler1", "农村危房改造") and not _notes("handler2", "校园食堂管理")

    staff = user("staff")
    for p, unit in ((edu, "县教育局"), (housing, "县住房和城乡建设局")):
        [e] = Event.objects.filter(case_id=p.case_id, action="remind")
        assert e.actor == staff and e.label == f"催办：{unit}" and e.detail == "请本周内答复"
        [a] = AuditEntry.objects.filter(action="handling.remind", target_id=str(p.case_id))
        assert a.actor_id == staff.pk and a.target_type == "handling.case"
        assert a.after["note"] == "请本周内答复" and len(a.after["units"]) == 1
    # The proposal's own timeline shows the reminder.
    assert "催办：县教育局" in text(client_for("staff").get(f"/proposals/{edu.pk}/"))


def test_a_batch_reminder_over_the_api(api_for, two):
    edu, housing = two
    r = api_for("staff").post(API_REMIND, {"case_ids": [edu.case_id]}, content_type=J)
    assert r.status_code == 200 and r.json() == {"reminded": 1}
    [n] = _notes("handler1", "校园食堂管理")
    assert n.body == f"请于 {days(40):%Y年%m月%d日} 前办理答复。"
    assert Event.objects.filter(case_id=edu.case_id, action="remind").count() == 1
    assert not Event.objects.filter(case_id=housing.case_id, action="remind").exists()


def test_a_reminder_on_a_red_item_reaches_the_unit_head_too(client_for, user):
    """domain.md, Traffic lights: "A manual 督办提醒 goes to units that still owe a reply or a 会办意见,
    to heads too when red." (the per-proposal 督办提醒 does so)."""
    p = build(title="催办样例：关于校舍抗震加固的提案", light="red", deadline=days(-4))
    client_for("staff").post(REMIND, {"case": [p.case_id]})
    assert _notes("handler1", "校舍抗震加固")
    assert _notes("unithead1", "校舍抗震加固")


def test_a_co_unit_that_sent_its_opinion_is_no_longer_chased(client_for, user, proposal_in):
    """domain.md: the reminder goes to units that still owe a reply or a 会办意见; a co-unit (会办) that has
    sent its opinion owes nothing, so it is neither reminded nor listed in its inbox."""
    p = proposal_in("handling", co=["住建局"])
    assert p.case_id in {x["case_id"] for x in rows(client_for("handler2").get("/handling/", {"q": p.title}))}
    services.assignment_co_opinion(
        user=user("handler2"), proposal=p, opinion="同意主办单位意见，将配合落实。"
    )
    client_for("staff").post(REMIND, {"case": [p.case_id]})
    assert _notes("handler1", p.title)  # the lead unit still owes its reply
    assert not _notes("handler2", p.title)
    assert p.case_id not in {
        x["case_id"] for x in rows(client_for("handler2").get("/handling/", {"q": p.title}))
    }


def test_members_and_units_cannot_remind(client_for, api_for, two):
    edu, _ = two
    for username in ("member1", "handler1", "unithead1"):
        assert client_for(username).post(REMIND, {"case": [edu.case_id]}).status_code == 404, username
        r = api_for(username).post(API_REMIND, {"case_ids": [edu.case_id]}, content_type=J)
        assert r.status_code == 403 and r.json()["detail"] == "只有本级负责该类事项的工作人员可以催办。"
    assert not _notes("handler1", "校园食堂管理")
    assert not Event.objects.filter(case_id=edu.case_id, action="remind").exists()


def test_a_leader_is_told_only_the_office_reminds(client_for, two):
    edu, _ = two
    r = client_for("leader").post(REMIND, {"case": [edu.case_id]}, follow=True)
    assert messages_of(r) == [
        f"未能催办{edu.number_label}《{edu.title}》：只有本级负责该类事项的工作人员可以催办。"
    ]
    assert not _notes("handler1", "校园食堂管理")


def test_a_reminder_on_an_item_not_in_handling_is_refused(client_for, api_for, two):
    """Issue 15: the board reminds item by item (one transaction each, through cases_remind): the items in
    handling are reminded, one replied meanwhile is named with why; the API keeps all-or-nothing (a program
    learns at once that its list is stale)."""
    edu, _ = two
    replied = build(title="催办样例：已答复的提案", status=Proposal.Status.REPLIED, reply_class="A")
    r = client_for("staff").post(REMIND, {"case": [edu.case_id, replied.case_id, 99999999]}, follow=True)
    assert messages_of(r) == [
        f"已向 1 项事项的承办单位发送催办提醒：{edu.number_label}《{edu.title}》。",
        f"未能催办{replied.number_label}《{replied.title}》：已不在办理中（已答复），无需催办。",
        "未能催办编号 99999999：未找到该事项，或您无权查看。",
    ]
    assert _notes("handler1", "校园食堂管理")
    assert not Event.objects.filter(case_id=replied.case_id, action="remind").exists()
    assert AuditEntry.objects.filter(action="handling.remind").count() == 1
    r = api_for("staff").post(API_REMIND, {"case_ids": [edu.case_id, replied.case_id]}, content_type=J)
    assert r.status_code == 422
    assert r.json()["detail"] == "所选事项中有已不在办理中的，请刷新后重试。"
    assert Event.objects.filter(case_id=edu.case_id, action="remind").count() == 1  # nothing more sent


def test_the_board_offers_select_all_a_count_and_a_confirmation(client_for, two):
    page = client_for("staff").get(BOARD, {"q": two[0].title}).content.decode()
    assert 'data-check-all="case"' in page and 'data-selected-count="case"' in page
    assert 'data-select-name="case"' in page and "确定向所选 {n} 项事项" in page
    assert f'name="case" value="{two[0].case_id}" form="remind-form"' in page


def test_a_reminder_needs_a_choice(client_for, api_for):
    r = client_for("staff").post(REMIND, {"note": "x"}, follow=True)
    assert "请至少选择一项。" in messages_of(r)
    r = api_for("staff").post(API_REMIND, {"case_ids": []}, content_type=J)
    assert r.status_code == 422 and r.json()["detail"] == "请至少选择一项。"


def test_the_board_lists_checkboxes_for_the_batch_reminder(client_for, two):
    edu, _ = two
    html = text(client_for("staff").get(BOARD, {"q": "催办样例"}))
    assert f'name="case" value="{edu.case_id}" form="remind-form"' in html


def test_the_board_offers_a_box_only_on_the_kinds_the_user_runs(client_for, user, two):
    """The 办公室 (微建议, 整改 …) sees the 提案委's proposals on the board but gets no box for them: its 全选本页 and
    催办所选 ticked every proposal of the page and answered one refusal per proposal."""
    edu, _ = two
    assert not user("office").works_in("proposal")
    html = text(client_for("office").get(BOARD, {"q": "催办样例"}))
    assert 'id="remind-form"' in html and "催办样例" in html
    assert f'name="case" value="{edu.case_id}"' not in html
    assert f'name="case" value="{edu.case_id}"' in text(client_for("staff").get(BOARD, {"q": "催办样例"}))


# --- 延期 ---------------------------------------------------------------------------------------------


def _extend_url(p):
    return f"/handling/board/{p.case_id}/extend/"


def test_an_extension_from_the_board_moves_the_deadline_through_the_proposal_service(
    client_for, user, proposal_in
):
    p = proposal_in("handling")
    old = p.deadline
    new = old + datetime.timedelta(days=30)
    c = client_for("staff")
    r = c.get(_extend_url(p))
    assert r.status_code == 200 and p.title in text(r) and f"{old:%Y-%m-%d}" in text(r)

    r = c.post(_extend_url(p), {"new_deadline": f"{new:%Y-%m-%d}", "reason": "需多部门协调"}, follow=True)
    assert r.redirect_chain[-1][0] == BOARD
    assert f"已延期：{p.number_label}《{p.title}》办理期限改为 {new:%Y-%m-%d}。" in messages_of(r)
    p.refresh_from_db()
    assert p.deadline == new
    assert Case.objects.get(pk=p.case_id).deadline == new
    assert set(Assignment.objects.filter(case_id=p.case_id).values_list("deadline", flat=True)) == {new}
    [x] = Extension.objects.filter(case_id=p.case_id)
    assert (x.old_deadline, x.new_deadline, x.reason, x.approved_by) == (
        old,
        new,
        "需多部门协调",
        user("staff"),
    )
    assert Event.objects.filter(case_id=p.case_id, action="extend").exists()
    assert AuditEntry.objects.filter(action="proposals.extend", target_id=str(p.pk)).exists()
    # The unit's inbox shows the new deadline.
    [row] = [x for x in rows(client_for("handler1").get("/handling/", {"q": p.title})) if x["id"] == p.pk]
    assert row["deadline"] == new


def test_an_extension_without_a_reason_is_refused_and_keeps_what_was_typed(client_for, proposal_in):
    p = proposal_in("handling")
    old = p.deadline
    new = old + datetime.timedelta(days=30)
    r = client_for("staff").post(_extend_url(p), {"new_deadline": f"{new:%Y-%m-%d}", "reason": "  "})
    assert r.status_code == 422
    html = text(r)
    assert "请填写延期理由。" in html
    assert re.search(rf'name="new_deadline"[^>]*value="{new:%Y-%m-%d}"', html)
    p.refresh_from_db()
    assert p.deadline == old and not Extension.objects.filter(case_id=p.case_id).exists()

    r = client_for("staff").post(_extend_url(p), {"new_deadline": "", "reason": "需多部门协调"})
    assert r.status_code == 422 and "请填写新的办理期限。" in text(r)
    assert ">需多部门协调</textarea>" in text(r)

    r = client_for("staff").post(
        _extend_url(p), {"new_deadline": f"{old:%Y-%m-%d}", "reason": "需多部门协调"}
    )
    assert r.status_code == 422 and "新的办理期限须晚于原期限" in text(r)


def test_only_the_office_extends(client_for):
    p = build(title="延期样例：关于校园安保的提案", deadline=days(30))
    for username in ("handler1", "member1", "leader", "other"):
        c = client_for(username)
        assert c.get(_extend_url(p)).status_code == 404, username
        r = c.post(_extend_url(p), {"new_deadline": f"{days(60):%Y-%m-%d}", "reason": "需多部门协调"})
        assert r.status_code == 404, username
    assert Proposal.objects.get(pk=p.pk).deadline == days(30)
    assert not Extension.objects.filter(case_id=p.case_id).exists()
