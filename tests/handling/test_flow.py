"""The spine's generic workflow (services.flow) for kinds without one of their own, its case page and its
API: route → 签收 → 答复 → 评价 不满意 → 重新办理 → 答复 → 满意 → 办结, who may do what, bad input, wrong
states, and constant query counts. A test kind (`flow_test`, run by the 信息科) keeps these independent of
the modules that use the flow."""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.proposals.conftest import fake_pdf_upload, pdf_upload
from zhengxie.core.models import AuditEntry, Notification, User
from zhengxie.handling import kinds
from zhengxie.handling.models import Assignment, Case, Evaluation, Event
from zhengxie.handling.rules import is_case_office, is_unit_user
from zhengxie.handling.services import flow

from .helpers import days, item_case, text

pytestmark = pytest.mark.django_db

CLOSED: list[int] = []  # the cases whose on_close ran


def _may_view(case, user) -> bool:
    if is_unit_user(user):
        return any(a.unit_id == user.handling_unit_id for a in case.assignments.all())
    return is_case_office(user, case) or user.username in ("member1", "member2", "leader")


FLOW_KIND = kinds.register(
    kinds.Kind(
        name="flow_test",
        label="测试落实",
        prefix="flowtest",
        flow=True,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        contact_days=0,
        office="information",
        office_label="信息科",
        rater_label="提出人",
        source=lambda case: "县长批示（测试来源）",
        sources=lambda cases: {c.pk: "县长批示（测试来源）" for c in cases},
        item_url=lambda case: "/x/item/",
        may_view=_may_view,
        may_rate=lambda case, user: user.username == "member1",
        raters_users=lambda case: list(User.objects.filter(username="member1")),
        on_close=lambda case: CLOSED.append(case.pk),
    )
)

_ids = itertools.count(700_000)


class Item:
    """The module's item a case is opened for (open_case links it to the case)."""

    class objects:  # noqa: N801  (a stand-in for a model's manager)
        @staticmethod
        def filter(**kw):
            class Rows:
                def update(self, **kw):
                    return 1

            return Rows()

    def __init__(self):
        self.pk = next(_ids)
        self.case_id = None


def route(user, units, *, title="关于落实县长批示：村道路灯维修", deadline=None) -> Case:
    return flow.route(
        user=user("info"),
        kind="flow_test",
        item=Item(),
        organisation=user("info").organisation,
        title=title,
        unit=units["教育局"],
        label="批示1",
        category="城乡建设",
        deadline=deadline,
        note="请抓紧落实。",
    )


def case_of(case) -> Case:
    return Case.objects.get(pk=case.pk)


def page(case) -> str:
    return f"/handling/cases/{case.pk}/"


def api(case, action="") -> str:
    return f"/api/v1/handling/cases/{case.pk}" + (f"/{action}" if action else "")


def post(client, case, action, data=None):
    return client.post(api(case, action), data or {}, content_type="application/json")


def field_error(html: str, field: str) -> list[str]:
    """The error messages shown right after the field `field` (includes/form.html)."""
    m = re.search(rf'name="{field}".*?(?=<div class="mb-3|</form>)', html, flags=re.S)
    return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', m.group(0)) if m else []


# --- the kind ------------------------------------------------------------------------------------------


def test_a_flow_kind_defaults_to_the_case_page_its_acknowledge_action_and_the_flows_extension(user, units):
    case = route(user, units)
    assert FLOW_KIND.url(case) == reverse("handling:case", args=[case.pk]) == page(case)
    assert FLOW_KIND.acknowledge_url(case) == f"/handling/cases/{case.pk}/acknowledge/"
    assert FLOW_KIND.extend is not None
    # A kind with a workflow of its own keeps its hooks (none here).
    other = kinds.get("test_item")
    assert not other.flow and other.extend is None and other.acknowledge_url(case) == ""


def test_route_puts_the_case_in_the_units_inbox_linking_to_the_case_page_with_acknowledge(
    user, units, client_for
):
    case = route(user, units)
    assert (case.status, case.stage, case.light) == ("assigned", "handling", "green")
    assert case.deadline == days(90)
    a = Assignment.objects.get(case=case)
    assert a.owes and a.unit == units["教育局"] and a.kind == "flow_test"
    told = Notification.objects.filter(title="新交办测试落实：关于落实县长批示：村道路灯维修")
    assert sorted(told.values_list("user__username", flat=True)) == ["handler1", "unithead1"]
    assert told.first().url == page(case)

    html = text(client_for("handler1").get("/handling/", {"kind": "flow_test"}))
    assert f'href="{page(case)}"' in html
    assert f'action="/handling/cases/{case.pk}/acknowledge/"' in html

    # 签收 from the inbox row comes back to the same filtered inbox.
    r = client_for("handler1").post(
        f"/handling/cases/{case.pk}/acknowledge/", {"next": "/handling/?kind=flow_test"}
    )
    assert r.status_code == 302 and r["Location"] == "/handling/?kind=flow_test"
    # A `next` off this site is not followed.
    for bad in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        r = client_for("handler1").post(f"/handling/cases/{case.pk}/acknowledge/", {"next": bad})
        assert r["Location"] == page(case)
    assert case_of(case).status == "acknowledged"
    assert Assignment.objects.get(case=case).acknowledged_at is not None


# --- the whole journey ---------------------------------------------------------------------------------


def test_the_whole_journey_on_the_page_and_over_the_api(user, units, client_for, api_for):
    CLOSED.clear()
    case = route(user, units)
    handler, rater = client_for("handler1"), client_for("member1")

    # The unit sees the case with 签收 and 答复.
    r = handler.get(page(case))
    html = text(r)
    assert r.status_code == 200
    assert "测试落实" in html and "关于落实县长批示：村道路灯维修" in html and "县长批示（测试来源）" in html
    assert 'href="/x/item/"' in html and "县教育局" in html and "已交办" in html
    assert r.context["actions"] == ["acknowledge", "reply", "request_change", "record_contact"]
    assert 'id="btn-acknowledge"' in html and 'id="reply"' in html and 'id="rate"' not in html

    r = handler.post(f"/handling/cases/{case.pk}/acknowledge/")
    assert r.status_code == 302 and r["Location"] == page(case)
    assert case_of(case).status == "acknowledged"

    # 答复 with the signed letter.
    r = handler.post(
        f"/handling/cases/{case.pk}/reply/", {"content": "已完成路灯维修 12 盏。", "letter": pdf_upload()}
    )
    assert r.status_code == 302, text(r)[:2000]
    c = case_of(case)
    assert (c.status, c.stage, c.light) == ("replied", "replied", "")
    assert not Assignment.objects.get(case=case).owes
    assert Notification.objects.filter(
        user__username="member1", title="测试落实已答复，请评价：关于落实县长批示：村道路灯维修"
    ).exists()
    letter = c.replies.get().letter
    assert letter is not None and letter.original_name == "答复函.pdf"

    # The rater sees the reply with its letter and the rating form; the letter downloads for them.
    r = rater.get(page(case))
    html = text(r)
    assert r.context["actions"] == ["rate"] and 'id="rate"' in html
    assert f'href="/files/{letter.pk}/"' in html
    assert rater.get(f"/files/{letter.pk}/").status_code == 200
    assert client_for("member3").get(f"/files/{letter.pk}/").status_code == 404

    # 不满意 without a comment: the service's message by the field, the choice kept.
    r = rater.post(f"/handling/cases/{case.pk}/rate/", {"rating": "unsatisfied", "comment": ""})
    assert r.status_code == 422
    html = text(r)
    assert field_error(html, "comment") == ["选择“不满意”时请写明意见，以便承办单位重新办理。"]
    assert re.search(r'value="unsatisfied"[^>]*checked', html)
    assert case_of(case).status == "replied"

    # 不满意 with a comment: the unit handles it again and is told; sent back early, it keeps the deadline
    # it had (90 days) rather than today + rehandle_days (30): test_rehandle_deadline.py has the rule.
    r = rater.post(f"/handling/cases/{case.pk}/rate/", {"rating": "unsatisfied", "comment": "还有两盏未修。"})
    assert r.status_code == 302
    c = case_of(case)
    assert (c.status, c.stage, c.round, c.deadline) == ("rehandling", "handling", 2, days(90))
    a = Assignment.objects.get(case=case)
    assert a.owes and a.deadline == days(90)
    told = Notification.objects.filter(
        title="对答复不满意，需重新办理测试落实：关于落实县长批示：村道路灯维修"
    )
    assert sorted(told.values_list("user__username", flat=True)) == ["handler1", "unithead1"]
    assert "还有两盏未修" in told.first().body

    # The second reply and the rating over the API.
    body = api_for("handler1").get(api(case)).json()
    assert (
        body["status"] == "rehandling"
        and body["actions"] == ["reply", "record_contact"]
        and body["round"] == 2
    )
    r = post(api_for("handler1"), case, "reply", {"content": "剩余两盏已修复。"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "replied" and [x["round"] for x in body["replies"]] == [1, 2]
    assert body["replies"][0]["ratings"][0]["rating"] == "unsatisfied"

    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["stage"], body["actions"]) == ("closed", "closed", [])
    c = case_of(case)
    assert c.closed_at is not None and CLOSED == [case.pk]
    assert not Assignment.objects.get(case=case).owes

    # The timeline, and one audit entry per change.
    assert [e["action"] for e in body["timeline"]] == [
        "assign",
        "acknowledge",
        "reply",
        "rate",
        "reply",
        "rate",
    ]
    assert [e["label"] for e in body["timeline"]][-1].endswith("满意，办结")
    actions = AuditEntry.objects.filter(target_type="handling.case", target_id=str(case.pk)).values_list(
        "action", flat=True
    )
    assert sorted(actions) == sorted(
        f"handling.flow_test.{x}" for x in ("assign", "acknowledge", "reply", "rate", "reply", "rate")
    )
    assert Evaluation.objects.filter(case=case).count() == 2

    # The closed case's page: everything shown, no form left.
    r = rater.get(page(case))
    html = text(r)
    assert r.context["actions"] == [] and "已办结" in html
    assert "还有两盏未修。" in html and "剩余两盏已修复。" in html and "第2轮" in html


def test_a_kind_that_only_notes_unsatisfied_closes_the_case(user, units, api_for):
    CLOSED.clear()
    noting = kinds.register(
        kinds.Kind(
            name="flow_note_test",
            label="测试记录",
            prefix="flownotetest",
            flow=True,
            uses_classes=False,
            on_unsatisfied="note",
            office="information",
            may_view=_may_view,
            may_rate=lambda case, user: user.username == "member1",
            on_close=lambda case: CLOSED.append(case.pk),
        )
    )
    case = flow.route(
        user=user("info"),
        kind=noting.name,
        item=Item(),
        organisation=user("info").organisation,
        title="记录样例",
        unit=units["教育局"],
    )
    flow.reply(user=user("handler1"), case=case, content="已办理。")
    r = post(api_for("member1"), case, "rate", {"rating": "unsatisfied", "comment": "不够具体。"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert CLOSED == [case.pk] and case_of(case).round == 1


# --- who may ---------------------------------------------------------------------------------------------


def test_who_may_see_and_do_what(user, units, client_for, api_for):
    case = route(user, units)

    # Another unit's handler, and a member the kind does not show it to: as if it did not exist.
    for name in ("handler2", "member3"):
        assert client_for(name).get(page(case)).status_code == 404
        assert api_for(name).get(api(case)).status_code == 404
        assert post(api_for(name), case, "acknowledge").status_code == 404
        assert client_for(name).post(f"/handling/cases/{case.pk}/acknowledge/").status_code == 404
    # Staff of another office (提案科) do not see the 信息科's items either.
    assert api_for("staff").get(api(case)).status_code == 404

    # A member who sees it but does not rate it; the office, which does not reply.
    r = post(api_for("member2"), case, "acknowledge")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = post(api_for("info"), case, "reply", {"content": "代答复"})
    assert r.status_code == 403 and r.json()["detail"] == "只有承办单位的工作人员可以答复该测试落实。"

    flow.reply(user=user("handler1"), case=case, content="已办理。")
    r = post(api_for("member2"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 403
    assert r.json() == {"detail": "只有提出人可以评价该测试落实的答复。", "code": "forbidden"}
    r = client_for("member2").post(f"/handling/cases/{case.pk}/rate/", {"rating": "satisfied"})
    assert r.status_code == 403 and "只有提出人可以评价该测试落实的答复。" in text(r)
    # The unit may not rate its own reply.
    assert post(api_for("handler1"), case, "rate", {"rating": "satisfied"}).status_code == 403
    assert case_of(case).status == "replied"

    # What each sees offered.
    assert api_for("member2").get(api(case)).json()["actions"] == []
    assert api_for("member1").get(api(case)).json()["actions"] == ["rate"]
    assert api_for("handler1").get(api(case)).json()["actions"] == ["attach_letter"]
    assert api_for("leader").get(api(case)).json()["actions"] == []


def test_another_kinds_case_page_leads_to_its_own_item_page(user, units, client_for):
    case = item_case(units["教育局"])  # test_item: not a flow kind
    r = client_for("handler1").get(page(case))
    assert r.status_code == 302 and r["Location"] == "/x/"
    assert client_for("handler1").post(f"/handling/cases/{case.pk}/acknowledge/").status_code == 404


# --- bad input, wrong state --------------------------------------------------------------------------------


def test_bad_input_is_422_with_the_services_chinese_message(user, units, client_for, api_for):
    case = route(user, units)
    r = post(api_for("handler1"), case, "reply", {"content": "   "})
    assert r.status_code == 422
    assert r.json() == {"detail": "请填写答复内容。", "code": "invalid", "field": "content"}

    # On the page: the message by its field, what was typed kept.
    r = client_for("handler1").post(f"/handling/cases/{case.pk}/reply/", {"content": ""})
    assert r.status_code == 422
    assert field_error(text(r), "content") == ["请填写答复内容。"]
    r = client_for("handler1").post(
        f"/handling/cases/{case.pk}/reply/", {"content": "答复正文写了一半", "letter": fake_pdf_upload()}
    )
    assert r.status_code == 422
    html = text(r)
    assert "答复正文写了一半</textarea>" in html
    assert field_error(html, "letter") == ["文件类型不符：只接受 PDF、Word(.docx)，且内容须与扩展名一致。"]
    assert case_of(case).status == "assigned"

    flow.reply(user=user("handler1"), case=case, content="已办理。")
    r = post(api_for("member1"), case, "rate", {"rating": "great"})
    assert r.status_code == 422
    assert r.json() == {"detail": "评价须为满意、基本满意或不满意。", "code": "invalid", "field": "rating"}
    r = post(api_for("member1"), case, "rate", {"rating": "unsatisfied"})
    assert r.status_code == 422 and r.json()["field"] == "comment"

    # A letter that is no PDF over the API.
    r = api_for("handler1").post(api(case, "letter"), {"file": fake_pdf_upload()})
    assert r.status_code == 422 and r.json()["field"] == "file"
    r = api_for("handler1").post(api(case, "letter"), {"file": pdf_upload("签发件.pdf")})
    assert r.status_code == 200
    [rp] = r.json()["replies"]
    assert rp["letter"]["name"] == "签发件.pdf"
    got = api_for("member1").get(rp["letter"]["api_url"])
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert api_for("member3").get(rp["letter"]["api_url"]).status_code == 404


def test_wrong_state_is_409(user, units, api_for):
    case = route(user, units)
    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 409
    assert r.json() == {"detail": "该测试落实当前状态为「已交办」，不能评价。", "code": "bad_state"}
    r = api_for("handler1").post(api(case, "letter"), {"file": pdf_upload()})
    assert r.status_code == 409

    assert post(api_for("handler1"), case, "acknowledge").status_code == 200
    r = post(api_for("handler1"), case, "acknowledge")
    assert r.status_code == 409 and r.json()["code"] == "already_acknowledged"

    assert post(api_for("handler1"), case, "reply", {"content": "已办理。"}).status_code == 200
    r = post(api_for("handler1"), case, "reply", {"content": "再答复一次。"})
    assert r.status_code == 409 and r.json()["detail"] == "该测试落实当前状态为「已答复」，不能答复。"
    r = post(api_for("info"), case, "extend", {"new_deadline": str(days(100)), "reason": "x"})
    assert r.status_code == 409

    assert post(api_for("member1"), case, "rate", {"rating": "basically_satisfied"}).status_code == 200
    r = post(api_for("member1"), case, "rate", {"rating": "satisfied"})
    assert r.status_code == 409 and "「已办结」" in r.json()["detail"]


# --- 延期 ----------------------------------------------------------------------------------------------------


def test_the_office_extends_on_the_case_page_and_from_the_board(user, units, client_for, api_for):
    case = route(user, units)
    info = client_for("info")
    assert "extend" in info.get(page(case)).context["actions"]
    assert "extend" not in client_for("handler1").get(page(case)).context["actions"]

    r = info.post(f"/handling/cases/{case.pk}/extend/", {"new_deadline": str(days(10)), "reason": ""})
    assert r.status_code == 422
    html = text(r)
    assert field_error(html, "new_deadline") == [f"新的办理期限须晚于原期限（{case.deadline:%Y-%m-%d}）。"]
    assert field_error(html, "reason") == ["请填写延期理由。"]
    assert f'value="{days(10)}"' in html

    r = info.post(
        f"/handling/cases/{case.pk}/extend/", {"new_deadline": str(days(120)), "reason": "需市级资金"}
    )
    assert r.status_code == 302
    c = case_of(case)
    assert c.deadline == days(120) and Assignment.objects.get(case=case).deadline == days(120)
    assert Event.objects.filter(case=case, action="extend", detail="需市级资金").exists()
    assert Notification.objects.filter(
        user__username="handler1", title__startswith=f"测试落实办理期限已延至 {days(120):%Y年%m月%d日}"
    ).exists()

    # The 督办 board's 延期 goes through the kind's default: the flow's own.
    r = info.post(f"/handling/board/{case.pk}/extend/", {"new_deadline": str(days(150)), "reason": "再延"})
    assert r.status_code == 302
    assert case_of(case).deadline == days(150)
    r = post(api_for("handler1"), case, "extend", {"new_deadline": str(days(200)), "reason": "x"})
    assert r.status_code == 403


def test_acknowledging_clears_a_late_receipt_from_the_light(user, units):
    case = route(user, units)
    Assignment.objects.filter(case=case).update(assigned_at=timezone.now() - timezone.timedelta(days=20))
    from zhengxie.handling.lights import refresh

    refresh([case.pk])
    assert case_of(case).light == "yellow"
    flow.acknowledge(user=user("handler1"), case=case)
    assert case_of(case).light == "green"


# --- queries ----------------------------------------------------------------------------------------------


def _rounds(user, case, n):
    for i in range(n):
        flow.reply(user=user("handler1"), case=case, content=f"第{i}次答复。", letter=pdf_upload())
        flow.rate(user=user("member1"), case=case, rating="unsatisfied", comment=f"第{i}次不满意。")


@pytest.mark.parametrize("who", ["handler1", "member1"])
def test_the_case_page_and_api_read_a_constant_number_of_queries(
    who, user, units, client_for, api_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = route(user, units)
    _rounds(user, case, 1)
    page_client, api_client = client_for(who), api_for(who)
    counts = {}
    for name, get in (
        ("page", lambda: page_client.get(page(case))),
        ("api", lambda: api_client.get(api(case))),
    ):
        get()  # warm: sessions, settings caches
        with CaptureQueriesContext(connection) as ctx:
            assert get().status_code == 200
        counts[name] = len(ctx.captured_queries)

    _rounds(user, case, 5)
    assert Event.objects.filter(case=case).count() >= 13
    with django_assert_max_num_queries(counts["page"]):
        r = page_client.get(page(case))
    assert r.status_code == 200 and len(r.context["c"]["replies"]) == 6
    with django_assert_max_num_queries(counts["api"]):
        r = api_client.get(api(case))
    assert r.status_code == 200 and len(r.json()["replies"]) == 6 and len(r.json()["ratings"]) == 6
