"""The spine's free texts are capped and its reasons required by the services themselves (issue #8), so the
API and the pages agree: a reply over 5,000 characters, a rating comment over 500, a contact over 1,000, a
change request's reason, a change decision's note or a 签发 return reason over 500 are refused with
「…不能超过N字（现为M字）。」 by the field (API 422; the page shows it by the field and keeps the text); a
refusal of a change request needs its note through the API as on the page; nothing is written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengxie.handling.models import Assignment, Contact, Evaluation, Reply, ReplyDraft

from .helpers import text
from .test_flow import case_of, field_error, page, post, route
from .test_signoff import signoff_on

pytestmark = pytest.mark.django_db


def _422(r, field: str, detail: str) -> None:
    assert r.status_code == 422, r.content[:300]
    body = r.json()
    assert (body["detail"], body["field"]) == (detail, field)


def test_a_units_texts_are_capped_over_the_api_and_on_the_page(user, units, client_for, api_for):
    case = route(user, units)
    handler = api_for("handler1")

    r = post(handler, case, "change-request", {"reason": "职" * 501})
    _422(r, "reason", "申请调整理由不能超过500字（现为501字）。")
    r = post(
        handler,
        case,
        "contacts",
        {"contacted_on": str(timezone.localdate()), "method": "phone", "summary": "谈" * 1001},
    )
    _422(r, "summary", "沟通情况不能超过1000字（现为1001字）。")
    r = post(handler, case, "reply", {"content": "复" * 5001})
    _422(r, "content", "答复内容不能超过5000字（现为5001字）。")
    assert Assignment.objects.get(case=case).change_status == ""
    assert not Contact.objects.filter(assignment__case=case).exists()
    assert not Reply.objects.filter(case=case).exists()

    # The page: the same message by the field, what was typed kept.
    page_client = client_for("handler1")
    long_reason = "职" * 501
    r = page_client.post(f"/handling/cases/{case.pk}/request_change/", {"reason": long_reason})
    assert r.status_code == 422
    html = text(r)
    assert field_error(html, "reason") == ["申请调整理由不能超过500字（现为501字）。"]
    assert long_reason in html
    r = page_client.post(f"/handling/cases/{case.pk}/reply/", {"content": "复" * 5001})
    assert r.status_code == 422
    assert field_error(text(r), "content") == ["答复内容不能超过5000字（现为5001字）。"]
    # The forms say the cap ("0 / N 字" on phones counts up to the field's maxlength).
    html = text(page_client.get(page(case)))
    assert 'maxlength="5000"' in html and 'maxlength="500"' in html and 'maxlength="1000"' in html

    # At the cap it is fine.
    assert post(handler, case, "change-request", {"reason": "职" * 500}).status_code == 200


def test_a_rating_comment_is_capped(user, units, api_for):
    case = route(user, units)
    assert post(api_for("handler1"), case, "reply", {"content": "已维修路灯。"}).status_code == 200
    r = post(api_for("member1"), case, "rate", {"rating": "unsatisfied", "comment": "差" * 501})
    _422(r, "comment", "评价意见不能超过500字（现为501字）。")
    assert not Evaluation.objects.filter(reply__case=case).exists()
    assert case_of(case).status == "replied"


def test_a_refusal_needs_its_note_over_the_api_as_on_the_page(user, units, api_for):
    case = route(user, units)
    assert post(api_for("handler1"), case, "change-request", {"reason": "职责不符。"}).status_code == 200
    for data in ({"grant": False}, {"grant": False, "note": "   "}):
        r = post(api_for("info"), case, "change-decision", data)
        _422(r, "note", "不同意调整时请写明意见。")
    r = post(api_for("info"), case, "change-decision", {"grant": False, "note": "意" * 501})
    _422(r, "note", "审核意见不能超过500字（现为501字）。")
    assert Assignment.objects.get(case=case).change_status == "pending"
    r = post(api_for("info"), case, "change-decision", {"grant": False, "note": "属本单位职责，请继续办理。"})
    assert r.status_code == 200 and Assignment.objects.get(case=case).change_status == "refused"


def test_a_proposal_refusal_needs_its_note_over_the_api(api_for, proposal_in):
    p = proposal_in("handling")
    r = api_for("handler1").post(
        f"/api/v1/proposals/{p.pk}/request_change",
        {"reason": "不属于我局职责"},
        content_type="application/json",
    )
    a = r.json()["assignments"][0]
    r = api_for("staff").post(
        f"/api/v1/proposals/{p.pk}/decide_change",
        {"assignment_id": a["id"], "grant": False},
        content_type="application/json",
    )
    _422(r, "note", "不同意调整时请写明意见。")
    assert Assignment.objects.get(pk=a["id"]).change_status == "pending"


def test_a_return_reason_is_capped(user, units, api_for):
    signoff_on()
    case = route(user, units)
    assert post(api_for("handler1"), case, "reply", {"content": "已维修路灯。"}).status_code == 200
    r = post(api_for("unithead1"), case, "sign", {"decision": "return", "reason": "退" * 501})
    _422(r, "reason", "退回理由不能超过500字（现为501字）。")
    assert ReplyDraft.objects.get(case=case).status == "pending"
