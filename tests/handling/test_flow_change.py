"""申请调整 and 沟通 on the generic case page and the case API, for every kind the spine's flow runs (issue #8,
walkthrough): the unit asks with a reason, the kind's office grants (the item moves to the new unit's
inbox) or refuses (it stays); each step audited, on the timeline and told to whoever must act; others get
403 / 404. Shown with a real kind (微建议, run by 办公室) and the spine's test kind (信息科). The inbox rows
say where each item came from (来源)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.suggestions.conftest import _clear_cache, county, education, submitted  # noqa: F401
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.models import Assignment, Case, Contact, Event
from zhengxie.suggestions import services as suggestions
from zhengxie.suggestions.models import Suggestion

from .helpers import text
from .test_flow import api, field_error, page, post, route

pytestmark = pytest.mark.django_db


@pytest.fixture
def river(submitted, user, education):  # noqa: F811
    """微建议: rubbish in a river, routed to 县教育局 (handler1's unit) by the office, as in the demo."""
    s = submitted(title="河道有人倾倒建筑垃圾", content="河道边经常有车辆夜间倾倒建筑垃圾，建议加强巡查。")
    s = suggestions.route(user=user("office"), suggestion=s, unit=education)
    return Case.objects.get(pk=s.case_id)


def _inbox_cases(client) -> set[int]:
    return {x["case_id"] for x in client.get("/api/v1/inbox").json()["items"]}


def test_a_unit_asks_to_send_a_suggestion_back_and_the_office_gives_it_to_another_unit(
    river, user, units, client_for, api_for
):
    case = river
    handler, office = client_for("handler1"), client_for("office")

    # The handler sees 申请调整 and 记录沟通 on the case page.
    r = handler.get(page(case))
    html = text(r)
    assert "request_change" in r.context["actions"] and "record_contact" in r.context["actions"]
    assert 'id="request_change"' in html and 'id="record_contact"' in html

    # Without a reason: the page says so by the field (422), nothing is asked.
    r = handler.post(f"/handling/cases/{case.pk}/request_change/", {"reason": "  "})
    assert r.status_code == 422
    assert field_error(text(r), "reason") == ["请说明申请调整的理由。"]
    assert Assignment.objects.get(case=case, is_active=True).change_status == ""

    r = handler.post(
        f"/handling/cases/{case.pk}/request_change/", {"reason": "河道保洁属县住建局职责，不属于教育局。"}
    )
    assert r.status_code == 302
    a = Assignment.objects.get(case=case, is_active=True)
    assert a.change_status == "pending" and a.change_reason == "河道保洁属县住建局职责，不属于教育局。"
    assert Notification.objects.filter(
        user__username="office", title="县教育局申请调整微建议：河道有人倾倒建筑垃圾"
    ).exists()
    assert AuditEntry.objects.filter(action="handling.public_suggestion.request_change").exists()
    assert Event.objects.filter(case=case, action="request_change", label="县教育局申请调整承办单位").exists()
    # Asked once: no second request while the first waits.
    assert "request_change" not in handler.get(page(case)).context["actions"]

    # The inbox row and the board filter show the request waiting.
    rows = api_for("handler1").get("/api/v1/inbox", {"status": "change_pending"}).json()["items"]
    assert [x["case_id"] for x in rows] == [case.pk] and rows[0]["change_pending"]
    assert "申请调整待审" in text(handler.get("/handling/"))
    assert case.pk in {
        x["case_id"]
        for x in api_for("office").get("/api/v1/inbox", {"status": "change_pending"}).json()["items"]
    }

    # The office (the kind's own, 办公室) sees the reason and decides; granting needs the new unit.
    r = office.get(page(case))
    html = text(r)
    assert "decide_change" in r.context["actions"] and "河道保洁属县住建局职责" in html
    r = office.post(f"/handling/cases/{case.pk}/decide_change/", {"grant": "1", "note": "同意。"})
    assert r.status_code == 422 and field_error(text(r), "new_unit") == ["请选择改由哪个承办单位办理。"]
    assert "同意。" in text(r)  # what was typed stays
    new_unit = units["住建局"]
    r = office.post(
        f"/handling/cases/{case.pk}/decide_change/",
        {"grant": "1", "note": "同意，改由住建局办理。", "new_unit": str(new_unit.pk)},
    )
    assert r.status_code == 302, text(r)[:800]

    c = Case.objects.get(pk=case.pk)
    assert c.status == "assigned"
    old = Assignment.objects.get(pk=a.pk)
    assert old.change_status == "granted" and not old.is_active and old.change_decided_by == user("office")
    new = Assignment.objects.get(case=case, is_active=True)
    assert new.unit == new_unit and new.deadline == old.deadline and new.owes
    # The item left 县教育局's inbox and is in 住建局's.
    assert case.pk not in _inbox_cases(api_for("handler1"))
    assert case.pk in _inbox_cases(api_for("handler2"))
    assert Notification.objects.filter(
        user__username="handler1", title="调整申请已同意：微建议《河道有人倾倒建筑垃圾》"
    ).exists()
    assert Notification.objects.filter(
        user__username="handler2", title="新交办微建议：河道有人倾倒建筑垃圾"
    ).exists()
    assert AuditEntry.objects.filter(action="handling.public_suggestion.decide_change").exists()
    # The new unit acknowledges and handles it; the old one no longer sees it (404, as another unit's).
    assert "acknowledge" in client_for("handler2").get(page(case)).context["actions"]
    assert client_for("handler1").get(page(case)).status_code == 404


def test_the_office_refuses_and_the_unit_goes_on(river, user, client_for, api_for):
    case = river
    r = post(api_for("handler1"), case, "change-request", {"reason": "不属于本单位职责。"})
    assert r.status_code == 200 and r.json()["units"][0]["change_status"] == "pending"
    assert r.json()["actions"] == ["acknowledge", "reply", "record_contact"]

    # Refusing on the page needs a note.
    r = client_for("office").post(f"/handling/cases/{case.pk}/decide_change/", {"grant": "0"})
    assert r.status_code == 422 and field_error(text(r), "note") == ["不同意调整时请写明意见。"]

    r = post(
        api_for("office"),
        case,
        "change-decision",
        {"grant": False, "note": "属教育局校园周边职责，请继续办理。"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["units"][0]["change_status"] == "refused"
    assert body["units"][0]["change_decision_note"] == "属教育局校园周边职责，请继续办理。"
    a = Assignment.objects.get(case=case)
    assert a.is_active and a.unit == user("handler1").handling_unit
    assert case.pk in _inbox_cases(api_for("handler1"))
    assert Notification.objects.filter(
        user__username="handler1", title="调整申请未获同意：微建议《河道有人倾倒建筑垃圾》"
    ).exists()
    # Nothing pending: deciding again is 409.
    r = post(api_for("office"), case, "change-decision", {"grant": False, "note": "再审。"})
    assert r.status_code == 409 and r.json()["detail"] == "该调整申请不在待审核状态。"


def test_who_may_not_ask_or_decide(user, units, api_for):
    case = route(user, units)  # the spine's test kind, run by 信息科 (user "info")
    # Another unit cannot see the case at all: 404; a member who sees it may not ask: 403.
    r = post(api_for("handler2"), case, "change-request", {"reason": "x"})
    assert r.status_code == 404
    r = post(api_for("member1"), case, "change-request", {"reason": "x"})
    assert r.status_code == 403 and r.json()["detail"] == "只有承办单位的工作人员可以申请调整。"
    # An empty reason is 422 by its field.
    r = post(api_for("handler1"), case, "change-request", {"reason": ""})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    assert post(api_for("handler1"), case, "change-request", {"reason": "职责不符。"}).status_code == 200
    # The unit does not decide its own request, nor does another office's staff: 403.
    r = post(api_for("handler1"), case, "change-decision", {"grant": False, "note": "x"})
    assert r.status_code == 403 and r.json()["detail"] == "只有本级信息科工作人员可以审核调整申请。"
    r = post(api_for("office"), case, "change-decision", {"grant": False, "note": "x"})
    assert r.status_code in (403, 404)
    # Granting without a unit is 422; with the unit already assigned, too.
    r = post(api_for("info"), case, "change-decision", {"grant": True})
    assert r.status_code == 422 and r.json()["field"] == "new_unit"
    r = post(api_for("info"), case, "change-decision", {"grant": True, "new_unit": units["教育局"].pk})
    assert r.status_code == 422 and r.json()["field"] == "new_unit"
    assert Assignment.objects.get(case=case, is_active=True).change_status == "pending"
    r = post(api_for("info"), case, "change-decision", {"grant": True, "new_unit": units["住建局"].pk})
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert [u["name"] for u in r.json()["units"] if u["is_active"]] == [units["住建局"].name]


def test_a_unit_records_a_contact_on_the_case_page_and_over_the_api(user, units, client_for, api_for):
    case = route(user, units)
    handler = client_for("handler1")
    today = timezone.localdate()
    r = handler.post(
        f"/handling/cases/{case.pk}/record_contact/",
        {"contacted_on": "", "method": "", "summary": "电话沟通"},
    )
    assert r.status_code == 422 and field_error(text(r), "contacted_on") == ["请填写联系日期。"]
    assert "电话沟通" in text(r)
    r = handler.post(
        f"/handling/cases/{case.pk}/record_contact/",
        {"contacted_on": today.isoformat(), "method": "phone", "summary": "与提出人电话沟通维修安排。"},
    )
    assert r.status_code == 302
    assert Contact.objects.filter(assignment__case=case, method="phone").count() == 1
    assert "与提出人沟通（电话沟通）" in text(handler.get(page(case)))
    r = post(
        api_for("handler1"),
        case,
        "contacts",
        {"contacted_on": today.isoformat(), "method": "visit", "summary": "上门走访。"},
    )
    assert r.status_code == 200 and Contact.objects.filter(assignment__case=case).count() == 2
    r = post(
        api_for("member1"),
        case,
        "contacts",
        {"contacted_on": today.isoformat(), "method": "visit", "summary": "x"},
    )
    assert r.status_code == 403
    assert api(case).endswith(str(case.pk))


def test_inbox_rows_say_where_each_item_came_from(river, user, units, client_for, api_for, proposal_in):
    s_case = river
    flow_case = route(user, units)
    p = proposal_in("assigned")
    by_case = {}
    for page_no in range(1, 50):
        body = api_for("handler1").get("/api/v1/inbox", {"page": page_no}).json()
        by_case.update({x["case_id"]: x for x in body["items"]})
        if len(by_case) >= body["count"]:
            break
    rows = by_case
    # 来源 says where the item came from, never the number the row's title shows already.
    submitted_on = f"{timezone.localtime(Suggestion.objects.get(pk=s_case.object_id).created_at):%Y-%m-%d}"
    assert rows[s_case.pk]["source"] == f"群众微建议（{submitted_on}提交）"
    assert rows[flow_case.pk]["source"] == "县长批示（测试来源）"
    lead = p.lead_member.name
    assert (
        rows[p.case_id]["source"]
        == {
            "individual": f"个人提案（{lead}）",
            "joint": f"联名提案（{lead}领衔）",
            "collective": f"集体提案（{p.collective_body}）",
        }[p.kind]
    )
    for row in rows.values():
        assert not row["label"] or row["label"] not in row["source"]
    html = text(client_for("handler1").get("/handling/", {"q": "河道有人倾倒建筑垃圾"}))
    assert f"来源：群众微建议（{submitted_on}提交）" in html
    assert f"来源：微建议{s_case.object_id}" not in html
