import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengxie.core.models import Notification
from zhengxie.members.models import Member, Session
from zhengxie.performance import acts as A
from zhengxie.performance.models import SelfReport
from zhengxie.performance.services import record_act

from .conftest import YEAR

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def archive_url(member, year=YEAR):
    return reverse("performance:member", args=[member.pk]) + f"?year={year}"


@pytest.fixture
def m1(db):
    return Member.objects.select_related("organisation").get(user__username="member1")


def test_member_reads_own_archive_with_records_total_and_caps(client_for, m1, county):
    from zhengxie.performance.demo import save_template

    save_template(county, YEAR, "tongcheng")
    sessions = list(Session.objects.filter(organisation=county))
    for s in sessions[:2]:
        record_act(member=m1, act=A.PLENARY_ATTEND, source=s, occurred_on=datetime.date(YEAR, 1, 10))
    r = client_for("member1").get(archive_url(m1))
    body = r.content.decode()
    assert r.status_code == 200
    assert "张明华 · 一员一档" in body
    assert body.count("出席全体会议") >= 2
    assert "单项上限 50.00 分，计入 50.00 分" in body
    assert 'data-chart-source="cat-chart"' in body and 'id="cat-chart"' in body
    assert "履职自报" in body  # the self-report form on one's own archive


def test_me_redirects_to_own_archive(client_for, m1):
    r = client_for("member1").get(reverse("performance:me"))
    assert r.status_code == 302 and r.url.startswith(reverse("performance:member", args=[m1.pk]))
    assert client_for("staff").get(reverse("performance:me")).status_code == 404


@pytest.mark.parametrize(
    "username,status",
    [
        ("member1", 200),
        ("member2", 404),
        ("staff", 200),
        ("leader", 200),
        ("admin", 200),
        ("other", 404),
        ("handler1", 404),
        ("citystaff", 200),
    ],
)
def test_who_may_read_an_archive(client_for, m1, username, status):
    assert client_for(username).get(archive_url(m1)).status_code == status


def test_liaison_group_reads_only_its_members(client_for, make_member, county):
    from zhengxie.core.models import Organisation, User

    group = User.objects.get(username="liaison").organisation
    other_group = Organisation.objects.filter(kind="liaison").exclude(pk=group.pk).first()
    mine, theirs = make_member(liaison=group), make_member(liaison=other_group)
    c = client_for("liaison")
    assert c.get(archive_url(mine)).status_code == 200
    assert c.get(archive_url(theirs)).status_code == 404


def test_api_duty_follows_the_same_rules(api_for, m1):
    url = f"/api/v1/members/{m1.pk}/duty?year={YEAR}"
    r = api_for("member1").get(url)
    assert r.status_code == 200
    data = r.json()
    assert data["member_id"] == m1.pk and data["year"] == YEAR
    assert {"total", "grade", "by_category", "rank_in_sector", "rank_in_committee", "records"} <= set(data)
    assert api_for("member2").get(url).status_code == 404
    assert api_for("other").get(url).status_code == 404
    assert api_for("staff").get(url).status_code == 200


def test_api_duty_lists_records(api_for, make_member, county):
    m = make_member()
    s = Session.objects.filter(organisation=county).first()
    record_act(member=m, act=A.INSPECTION, source=s, occurred_on=datetime.date(YEAR, 5, 1))
    data = api_for("staff").get(f"/api/v1/members/{m.pk}/duty?year={YEAR}").json()
    assert data["total"] == 4.0 and data["grade"] == "不合格"
    assert data["records"] == [
        {
            "id": data["records"][0]["id"],
            "act": "inspection",
            "act_label": "参加视察",
            "category": "activities",
            "points": 4.0,
            "source": str(s),
            "occurred_on": f"{YEAR}-05-01",
        }
    ]
    assert data["rank_in_sector"] >= 1


def test_archive_query_count_does_not_grow_with_records(
    client_for, make_member, county, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m = make_member(name="查询计数")
    sessions = list(Session.objects.filter(organisation=county))
    c = client_for("staff")

    def run():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(archive_url(m)).status_code == 200
        return len(ctx.captured_queries)

    record_act(member=m, act=A.TRAINING, source=sessions[0], occurred_on=datetime.date(YEAR, 2, 1))
    first = run()
    for i, s in enumerate(sessions):
        for act in (A.LECTURE, A.RESEARCH, A.INSPECTION):
            record_act(member=m, act=act, source=s, occurred_on=datetime.date(YEAR, 2, 1 + i))
    with django_assert_max_num_queries(first):
        assert c.get(archive_url(m)).status_code == 200


def test_annual_report_downloads_as_docx_and_pdf(client_for, m1):
    c = client_for("member1")
    r = c.get(reverse("performance:member_report", args=[m1.pk, "docx"]) + f"?year={YEAR}")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    from docx import Document

    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "张明华" in text and f"{YEAR}年度履职报告" in text
    # The official page: A4, 公文 margins, page numbers in the footer.
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 3.7
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    r = c.get(reverse("performance:member_report", args=[m1.pk, "pdf"]) + f"?year={YEAR}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r["Content-Type"] == "application/pdf"
    assert (
        client_for("member2").get(reverse("performance:member_report", args=[m1.pk, "pdf"])).status_code
        == 404
    )


# --- self-reports ----------------------------------------------------------------------------------


def test_self_report_without_evidence_is_refused_in_chinese_and_keeps_input(client_for, m1):
    before = SelfReport.objects.count()
    r = client_for("member1").post(
        archive_url(m1),
        {"act": A.PUBLIC_WELFARE, "occurred_on": "2026-03-01", "description": "参加义务植树活动"},
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "请上传佐证材料" in body
    assert "参加义务植树活动" in body
    assert SelfReport.objects.count() == before


def test_self_report_with_a_fake_pdf_is_refused(client_for, m1):
    fake = SimpleUploadedFile("证明.pdf", b"not a pdf at all", content_type="application/pdf")
    r = client_for("member1").post(
        archive_url(m1),
        {
            "act": A.PUBLIC_WELFARE,
            "occurred_on": "2026-03-01",
            "description": "参加义务植树活动",
            "evidence": fake,
        },
    )
    assert "文件类型不符" in r.content.decode()


def test_self_report_flow_confirm_scores_and_notifies(client_for, m1, user):
    c = client_for("member1")
    r = c.post(
        archive_url(m1),
        {
            "act": A.PUBLIC_WELFARE,
            "occurred_on": "2026-03-01",
            "description": "参加义务植树活动",
            "evidence": SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    report = SelfReport.objects.filter(member=m1).latest("pk")
    assert report.status == "pending"
    staff = client_for("staff")
    queue = staff.get(reverse("performance:reviews")).content.decode()
    assert "参加义务植树活动" in queue and "证明.pdf" in queue
    # The evidence can be downloaded by staff and by the member, not by another member.
    from zhengxie.core.models import Attachment

    att = Attachment.objects.get(object_id=str(report.pk), purpose="evidence")
    assert staff.get(reverse("core:attachment", args=[att.pk])).status_code == 200
    assert c.get(reverse("core:attachment", args=[att.pk])).status_code == 200
    assert client_for("member2").get(reverse("core:attachment", args=[att.pk])).status_code == 404
    # A member may not confirm.
    assert c.post(reverse("performance:review_confirm", args=[report.pk])).status_code in (302, 404)
    report.refresh_from_db()
    assert report.status == "pending"
    r = staff.post(reverse("performance:review_confirm", args=[report.pk]), follow=True)
    assert "已确认" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "confirmed" and report.reviewer.username == "staff"
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(SelfReport)
    rec = m1.duty_records.get(source_ct=ct, source_id=str(report.pk), voided=False)
    assert rec.act == A.PUBLIC_WELFARE and rec.confirmed_by.username == "staff"
    assert Notification.objects.filter(user=m1.user, title__contains="已确认").exists()
    # Confirming twice is refused, nothing doubled.
    r = staff.post(reverse("performance:review_confirm", args=[report.pk]), follow=True)
    assert "已审核过" in r.content.decode()
    assert m1.duty_records.filter(source_ct=ct, source_id=str(report.pk), voided=False).count() == 1


def test_self_report_reject_needs_a_reason(client_for, api_for, m1):
    r = api_for("member1").post(
        "/api/v1/self-reports",
        {
            "act": A.RESEARCH,
            "occurred_on": "2026-04-01",
            "description": "调研茶产业",
            "evidence": SimpleUploadedFile(
                "photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png"
            ),
        },
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    staff = api_for("staff")
    r = staff.post(f"/api/v1/self-reports/{rid}/reject", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and "原因" in r.json()["detail"]
    r = staff.post(
        f"/api/v1/self-reports/{rid}/reject",
        {"reason": "照片无法说明活动内容"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert Notification.objects.filter(user=m1.user, body__contains="照片无法说明活动内容").exists()
    assert api_for("staff").post(f"/api/v1/self-reports/{rid}/confirm").status_code == 409


def test_api_self_report_without_evidence_is_422(api_for):
    r = api_for("member1").post(
        "/api/v1/self-reports", {"act": A.RESEARCH, "occurred_on": "2026-04-01", "description": "调研"}
    )
    assert r.status_code == 422
    assert "佐证材料" in r.json()["detail"]


def test_other_county_staff_cannot_touch_a_report(api_for, client_for, m1):
    report = SelfReport.objects.filter(member__organisation=m1.organisation, status="pending").first()
    assert report is not None  # the demo leaves some pending
    assert api_for("other").post(f"/api/v1/self-reports/{report.pk}/confirm").status_code == 404
    assert api_for("member2").post(f"/api/v1/self-reports/{report.pk}/confirm").status_code in (403, 404)


def test_workbench_todos(client_for):
    body = client_for("staff").get(reverse("core:workbench")).content.decode()
    assert "待确认的履职自报" in body


def test_reject_on_the_page_without_reason_keeps_the_report_pending(client_for, m1):
    report = SelfReport.objects.filter(member=m1, status="pending").first()
    assert report is not None  # the demo leaves member1 one pending report
    r = client_for("staff").post(reverse("performance:review_reject", args=[report.pk]), {"reason": ""})
    assert r.status_code == 422 and "请填写未通过的原因" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "pending"
    r = client_for("staff").post(
        reverse("performance:review_reject", args=[report.pk]), {"reason": "材料不清楚"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "rejected" and report.reason == "材料不清楚"
    body = client_for("member1").get(archive_url(m1, report.occurred_on.year)).content.decode()
    assert "材料不清楚" in body


def test_review_queue_query_count_is_constant(client_for, make_member, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengxie.performance.services import self_report_submit

    c = client_for("staff")
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("performance:reviews")).status_code == 200
    n = len(ctx.captured_queries)
    for _ in range(5):
        m = make_member()
        self_report_submit(
            user=m.user,
            act=A.TRAINING,
            occurred_on=datetime.date(2026, 1, 5),
            description="培训",
            evidence=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        )
    with django_assert_max_num_queries(n):
        assert c.get(reverse("performance:reviews")).status_code == 200


@pytest.mark.parametrize(
    "username,shown,hidden",
    [
        ("member1", ["我的履职档案"], ["履职自报审核", "积分方案"]),
        ("staff", ["履职自报审核", "履职排名", "年度考核", "积分方案"], ["我的履职档案"]),
        ("admin", ["积分方案", "履职排名"], ["履职自报审核"]),
    ],
)
def test_menu_entries_by_role(client_for, username, shown, hidden):
    body = client_for(username).get(reverse("core:workbench")).content.decode()
    for label in shown:
        assert label in body
    for label in hidden:
        assert label not in body


def test_staff_confirm_several_self_reports_at_once(client_for, user):
    """批量确认: the ticked pending reports are confirmed and scored together; what cannot be is said."""
    from zhengxie.performance import services

    reports = [
        services.self_report_submit(
            user=user(u),
            act=A.PUBLIC_WELFARE,
            occurred_on=datetime.date(2026, 3, 1),
            description=f"{u}参加义务植树",
            evidence=SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
        )
        for u in ("member1", "member2")
    ]
    page = client_for("staff").get(reverse("performance:reviews")).content.decode()
    assert 'data-check-all="ids"' in page and f'value="{reports[0].pk}" form="batch-form"' in page
    # Issue 15: a count of the ticked, the confirmation says how many, nothing ticked is stopped first.
    assert 'data-selected-count="ids"' in page and 'data-select-name="ids"' in page
    assert "确认所勾选的 {n} 条自报并计分？" in page and 'data-select-empty="请先勾选要确认的自报。"' in page
    # City staff read the county's queue but do not confirm a county member's report.
    r = client_for("citystaff").post(
        reverse("performance:reviews_confirm"), {"ids": [x.pk for x in reports]}, follow=True
    )
    assert r.status_code in (200, 404) and "条自报并计分" not in r.content.decode()
    assert SelfReport.objects.filter(pk__in=[x.pk for x in reports], status="pending").count() == 2
    r = client_for("staff").post(
        reverse("performance:reviews_confirm"), {"ids": [x.pk for x in reports] + [999999]}, follow=True
    )
    shown = [str(m) for m in r.context["messages"]]
    label = reports[0].act_label
    assert shown[0].startswith(f"已确认 2 条自报并计分：{reports[0].member.name}「{label}」计 ")
    assert f"；{reports[1].member.name}「{label}」计 " in shown[0]
    assert shown[1] == "未确认：1 条已处理或不在您的审核范围内。"
    assert SelfReport.objects.filter(pk__in=[x.pk for x in reports], status="confirmed").count() == 2
    r = client_for("staff").post(reverse("performance:reviews_confirm"), {}, follow=True)
    assert "请先勾选要确认的自报" in r.content.decode()
