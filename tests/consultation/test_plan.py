"""The year's plan (年度协商计划): the demo's plan (approved) by form and month; issue and the members told;
409 on an illegal order; a row changed after approval needs a new approval before issuing; the official
.docx; the API; nobody outside the committee reads it and only its consultation staff act on it."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.consultation.models import Plan
from zhengxie.consultation.services import consultations as consultation_services
from zhengxie.consultation.services import topics as services
from zhengxie.core.errors import Conflict, Forbidden, NotFound
from zhengxie.core.models import Notification

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def test_demo_plan_page(client_for, county):
    plan = Plan.objects.get(organisation=county, year=YEAR)
    assert plan.status == "approved"
    r = client_for("office").get(reverse("consultation:plan", args=[YEAR]))
    text = r.content.decode()
    assert r.status_code == 200 and plan.title in text and "已审定" in text
    assert "推进县域义务教育优质均衡发展" in text and "常委会专题协商" in text and "btn-issue" in text
    assert "plan-changes" not in text
    # Members read it (no buttons); units do not; 石门区 sees its own year, never 青川县's.
    r = client_for("member1").get(reverse("consultation:plan", args=[YEAR]))
    assert r.status_code == 200 and plan.title in r.content.decode() and "btn-issue" not in r.content.decode()
    assert client_for("handler1").get(reverse("consultation:plan", args=[YEAR])).status_code == 404
    r = client_for("other").get(reverse("consultation:plan", args=[YEAR]))
    assert r.status_code in (200, 404)
    assert plan.title not in r.content.decode() and "推进县域义务教育优质均衡发展" not in r.content.decode()
    assert client_for("office").get(reverse("consultation:plan_current")).status_code == 302


def test_issue_then_changes_need_a_new_approval(user, county, client_for):
    office = user("office")
    # Approved and unchanged: approving again is refused.
    with pytest.raises(Conflict):
        services.approve_plan(user=office, organisation=county, year=YEAR)
    # A row changes after approval: shown, and the plan cannot be issued until approved again.
    c = services.plan_rows(county, YEAR)[0]
    consultation_services.update(
        user=office, consultation=c, planned_month=12 if c.planned_month != 12 else 11
    )
    plan = Plan.objects.get(organisation=county, year=YEAR)
    changes = services.changes_since_approval(plan, services.plan_rows(county, YEAR))
    assert changes == [{"kind": "changed", "id": c.pk, "title": c.title}]
    text = client_for("office").get(reverse("consultation:plan", args=[YEAR])).content.decode()
    assert "审定后计划有1项变动" in text and "btn-issue" not in text and "重新审定" in text
    with pytest.raises(Conflict) as e:
        services.issue_plan(user=office, organisation=county, year=YEAR)
    assert e.value.code == "plan_changed"
    # Approved again through the page, then issued: the members are told.
    assert client_for("office").post(reverse("consultation:plan_approve", args=[YEAR])).status_code == 302
    r = client_for("office").post(reverse("consultation:plan_issue", args=[YEAR]))
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "issued" and plan.issued_by == office
    assert Notification.objects.filter(user__username="member1", title=f"{plan.title}已印发").exists()
    # Issued: issuing again is 409; a new row brings it back to approval.
    with pytest.raises(Conflict):
        services.issue_plan(user=office, organisation=county, year=YEAR)
    consultation_services.create(
        user=office, title="新增的界别协商", form="sector", year=YEAR, planned_month=12
    )
    plan = services.approve_plan(user=office, organisation=county, year=YEAR)
    assert plan.status == "approved"
    assert services.issue_plan(user=office, organisation=county, year=YEAR).status == "issued"


def test_order_of_steps_on_a_new_plan(user, county):
    office, year = user("office"), YEAR + 2
    with pytest.raises(NotFound):
        services.approve_plan(user=office, organisation=county, year=year)
    plan = services.create_plan(user=office, organisation=county, year=year)
    assert plan.status == "draft" and plan.title == f"政协青川县委员会{year}年度协商计划"
    with pytest.raises(Conflict):
        services.create_plan(user=office, organisation=county, year=year)
    with pytest.raises(Conflict) as e:
        services.issue_plan(user=office, organisation=county, year=year)
    assert "须先审定" in e.value.message
    with pytest.raises(Conflict) as e:
        services.approve_plan(user=office, organisation=county, year=year)
    assert e.value.code == "plan_empty"
    consultation_services.create(
        user=office, title="明年的双月协商", form="bimonthly", year=year, planned_month=3
    )
    assert services.approve_plan(user=office, organisation=county, year=year).status == "approved"
    services.update_plan(user=office, organisation=county, year=year, document_number="青政协发〔2028〕1号")
    with pytest.raises(Conflict):
        services.update_plan(user=office, organisation=county, year=year, title="改标题")
    assert services.issue_plan(user=office, organisation=county, year=year).status == "issued"


def test_only_the_committees_consultation_staff_act(user, county):
    for username in ("member1", "staff", "handler1"):
        with pytest.raises(Forbidden):
            services.issue_plan(user=user(username), organisation=county, year=YEAR)
    assert Plan.objects.get(organisation=county, year=YEAR).status == "approved"


def test_docx_opens_and_holds_title_and_topics(client_for, county):
    from docx import Document

    r = client_for("office").get(reverse("consultation:plan_document", args=[YEAR]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    plan = Plan.objects.get(organisation=county, year=YEAR)
    assert plan.title in text and plan.document_number in text
    assert "常委会专题协商" in text and "推进县域义务教育优质均衡发展" in cells and "协商议题" in cells
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert client_for("member1").get(reverse("consultation:plan_document", args=[YEAR])).status_code == 200
    assert client_for("handler1").get(reverse("consultation:plan_document", args=[YEAR])).status_code == 404


def test_plan_api(api_for, county):
    r = api_for("office").get(f"/api/v1/consultation-plans/{YEAR}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "approved" and body["year"] == YEAR and body["changes_since_approval"] == []
    assert {
        "id",
        "title",
        "form",
        "form_label",
        "planned_month",
        "lead_committee",
        "leader",
        "topic_id",
    } <= set(body["rows"][0])
    assert any(row["topic_id"] for row in body["rows"])  # the demo linked chosen topics
    # 石门区 has no plan this year: 404, never 青川县's.
    assert api_for("other").get(f"/api/v1/consultation-plans/{YEAR}").status_code == 404
    assert api_for("handler1").get(f"/api/v1/consultation-plans/{YEAR}").status_code == 404

    year = YEAR + 3
    r = api_for("office").post(
        "/api/v1/consultation-plans",
        {"year": year, "title": "", "note": "说明"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["rows"] == []
    r = api_for("office").post("/api/v1/consultation-plans", {"year": year}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"]
    r = api_for("office").post(f"/api/v1/consultation-plans/{year}/issue")
    assert r.status_code == 409 and "审定" in r.json()["detail"]
    r = api_for("office").post(f"/api/v1/consultation-plans/{year}/approve")
    assert r.status_code == 409 and r.json()["code"] == "plan_empty"
    assert api_for("member1").post(f"/api/v1/consultation-plans/{YEAR}/issue").status_code == 403
    assert (
        api_for("member1")
        .post("/api/v1/consultation-plans", {"year": year + 1}, content_type="application/json")
        .status_code
        == 403
    )
    r = api_for("office").post(f"/api/v1/consultation-plans/{YEAR}/issue")
    assert r.status_code == 200 and r.json()["status"] == "issued"
