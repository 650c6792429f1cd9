"""A second kind of routed item on the spine: registered once, it shows in the unit's inbox next to
proposals with its own label, the daily light job watches it, the board counts and reminds it."""

import pytest

from tests.proposals.builders import build
from zhengxie.core.models import Notification
from zhengxie.handling import jobs, kinds
from zhengxie.handling.models import Case, Event

from .helpers import days, item_case, owed, rows, text

pytestmark = pytest.mark.django_db

# Registered here too, as a module of its own would (idempotent: helpers registers the same kind).
kinds.register(
    kinds.Kind(
        name="test_item",
        label="测试事项",
        prefix="testitem",
        url=lambda c: "/x/",
        may_view=lambda c, u: True,
        office="proposal",
    )
)

TITLE = "测试事项：村道路灯维修"


def test_it_appears_in_the_units_inbox_next_to_proposals_with_its_own_label(client_for, api_for, units):
    p = build(title="并列样例：关于村小食堂改造的提案")
    case = item_case(units["教育局"], title="并列样例：村道路灯维修", label="T-7")
    c = client_for("handler1")
    r = c.get("/handling/")
    assert r.context["page_obj"].paginator.count == owed(unit=units["教育局"]).count()
    both = rows(c.get("/handling/", {"q": "并列样例"}))
    assert {(x["case_id"], x["kind_label"]) for x in both} == {(p.case_id, "提案"), (case.pk, "测试事项")}

    [row] = rows(c.get("/handling/", {"q": "村道路灯"}))
    assert row["kind"] == "test_item" and row["kind_label"] == "测试事项" and row["url"] == "/x/"
    assert row["label"] == "T-7" and row["id"] == case.object_id
    html = text(c.get("/handling/", {"q": "村道路灯"}))
    assert "测试事项</span>" in html and 'href="/x/"' in html and "T-7 并列样例：村道路灯维修" in html

    # Its kind is a filter choice, and the filter keeps to it.
    assert '<option value="test_item"' in text(r)
    assert [x["case_id"] for x in rows(c.get("/handling/", {"kind": "test_item"}))] == [case.pk]
    assert case.pk not in {
        x["case_id"] for x in rows(c.get("/handling/", {"kind": "proposal", "q": "村道路灯"}))
    }
    # The API lists it the same way.
    body = api_for("handler1").get("/api/v1/inbox", {"kind": "test_item"}).json()
    assert (
        body["count"] == 1
        and body["items"][0]["kind_label"] == "测试事项"
        and body["items"][0]["url"] == "/x/"
    )
    # Not in another unit's inbox.
    assert rows(client_for("handler2").get("/handling/", {"kind": "test_item"})) == []


def test_the_daily_light_job_turns_it_red_past_its_deadline_and_tells_handler_and_head(
    user, units, client_for
):
    case = item_case(units["教育局"], title=TITLE, label="T-8", deadline=days(-1))
    assert Case.objects.get(pk=case.pk).light == ""
    jobs.check_lights()
    case.refresh_from_db()
    assert case.light == "red"
    notes = Notification.objects.filter(title__contains="村道路灯维修")
    assert sorted(notes.values_list("user__username", flat=True)) == ["handler1", "unithead1"]
    n = notes.first()
    assert n.title == f"【红灯】测试事项已超过办理期限：T-8《{TITLE}》" and n.url == "/x/"
    assert Event.objects.filter(case=case, action="light", label="督办灯变为红灯").exists()
    # The inbox's red filter shows it now.
    assert case.pk in {x["case_id"] for x in rows(client_for("handler1").get("/handling/", {"light": "red"}))}
    # The job does not tell them twice.
    jobs.check_lights()
    assert Notification.objects.filter(title__contains="村道路灯维修").count() == 2


def test_near_its_deadline_it_turns_yellow_and_only_the_handler_is_told(units):
    case = item_case(units["教育局"], title=TITLE, label="T-9", deadline=days(5))
    jobs.check_lights()
    case.refresh_from_db()
    assert case.light == "yellow"
    notes = Notification.objects.filter(title__contains="村道路灯维修")
    assert list(notes.values_list("user__username", flat=True)) == ["handler1"]
    assert notes.get().title.startswith("【黄灯】测试事项办理需加快")


def test_the_board_counts_and_reminds_it(client_for, api_for, units):
    case = item_case(units["教育局"], title=TITLE, label="T-10", deadline=days(-1))
    jobs.check_lights()
    board = api_for("staff").get("/api/v1/handling/board").json()
    assert {"kind": "test_item", "label": "测试事项", "count": 1} in board["kinds"]
    only = api_for("staff").get("/api/v1/handling/board", {"kind": "test_item"}).json()
    assert only["totals"]["red"] == 1 and only["totals"]["total"] == 1
    assert [u["unit_id"] for u in only["units"]] == [units["教育局"].pk]

    r = api_for("staff").post(
        "/api/v1/handling/remind", {"case_ids": [case.pk]}, content_type="application/json"
    )
    assert r.json() == {"reminded": 1}
    n = Notification.objects.get(user__username="handler1", title__startswith="【催办】")
    assert n.title == f"【催办】测试事项T-10《{TITLE}》" and n.url == "/x/" and n.category == "test_item"


def test_a_kind_without_an_extension_service_says_so_on_the_board(client_for, units):
    case = item_case(units["教育局"], title=TITLE)
    r = client_for("staff").post(
        f"/handling/board/{case.pk}/extend/", {"new_deadline": "2099-01-01", "reason": "x"}
    )
    assert r.status_code == 422 and "该类事项不能在督办台延期。" in text(r)
    assert Case.objects.get(pk=case.pk).deadline == case.deadline
