"""The API contract of issue 12 for 视察调研: create, list, read, report upload; status steps (409 on an
illegal one), visits as meetings, findings with photos, generated reports and writers' credits,
recommendations routed to a unit or turned into drafts; bad input (422 in Chinese), members (403/404),
another county (404)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.models import Assignment
from zhengxie.performance.models import DutyRecord
from zhengxie.research.models import Recommendation, ResearchTopic

pytestmark = pytest.mark.django_db


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def _body(user, member, today, **extra):
    return {
        "title": "关于乡村旅游发展的调研",
        "kind": "research",
        "year": today.year,
        "leader": user("leader").pk,
        "member_ids": [member("member1").pk, member("member2").pk],
        **extra,
    }


def _docx() -> SimpleUploadedFile:
    from docx import Document

    doc = Document()
    doc.add_paragraph("调研报告")
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile("调研报告.docx", buf.getvalue())


def _jpeg_with_gps() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (20, 10), (200, 10, 10))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 40.0, 50.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_create_list_read(api_for, user, member, today):
    office = api_for("office")
    r = _post(
        office, "/api/v1/research-topics", _body(user, member, today, chair_collective=True, sites=["甲村"])
    )
    assert r.status_code == 201, r.content
    t = r.json()
    assert t["status"] == "planned" and t["kind"] == "research" and t["leader"] == user("leader").pk
    assert sorted(t["member_ids"]) == sorted([member("member1").pk, member("member2").pk])
    assert t["chair_collective"] is True and t["sites"] == ["甲村"] and t["unit_label"] == "办公室"
    assert "start" in t["actions"] and "visit" in t["actions"]
    assert AuditEntry.objects.filter(action="research.create", target_id=str(t["id"])).exists()
    assert Notification.objects.filter(
        user=user("member1"), title__contains="关于乡村旅游发展的调研"
    ).exists()
    assert Notification.objects.filter(user=user("leader"), title__contains="关于乡村旅游发展的调研").exists()

    r = office.get(f"/api/v1/research-topics?year={today.year}&kind=research")
    assert r.status_code == 200 and t["id"] in [i["id"] for i in r.json()["items"]]
    assert all(i["kind"] == "research" for i in r.json()["items"])
    # A participant and the leader read it; the participant sees only theirs.
    m1 = api_for("member1")
    assert m1.get(f"/api/v1/research-topics/{t['id']}").status_code == 200
    mine = m1.get("/api/v1/research-topics").json()["items"]
    assert t["id"] in [i["id"] for i in mine]
    assert all(
        member("member1").pk in m1.get(f"/api/v1/research-topics/{i['id']}").json()["member_ids"]
        for i in mine
    )
    assert api_for("leader").get(f"/api/v1/research-topics/{t['id']}").json()["actions"] == []
    # member3 does not take part: 404.
    assert api_for("member3").get(f"/api/v1/research-topics/{t['id']}").status_code == 404


def test_bad_input_is_422_in_chinese(api_for, user, member, today):
    office = api_for("office")
    cases = [
        ({"title": ""}, "title"),
        ({"kind": "trip"}, None),
        ({"leader": user("staff").pk}, "leader"),
        ({"leader": user("other").pk}, "leader"),
        ({"member_ids": [member("other").pk]}, "member_ids"),
        ({"member_ids": []}, "member_ids"),
        ({"year": 1900}, "year"),
        ({"starts_on": str(today), "ends_on": str(today - datetime.timedelta(days=1))}, "ends_on"),
        ({"writer_ids": [member("member3").pk]}, "writer_ids"),
    ]
    for extra, field in cases:
        r = _post(office, "/api/v1/research-topics", _body(user, member, today, **extra))
        assert r.status_code == 422, (extra, r.content)
        assert r.json()["detail"]
        if field:
            assert r.json().get("field") == field, (extra, r.json())
    assert not ResearchTopic.objects.filter(title="关于乡村旅游发展的调研").exists()


def test_who_may_create(api_for, user, member, today):
    # Only the 办公室 / 专委会办公室: the 提案委 staff, a member, a leader are refused.
    for name in ("staff", "member1", "leader", "handler1"):
        assert _post(api_for(name), "/api/v1/research-topics", _body(user, member, today)).status_code == 403


def test_status_steps_and_409(api_for, make_topic):
    t = make_topic()
    office = api_for("office")
    path = f"/api/v1/research-topics/{t.pk}/status"
    for bad in ("closed", "reported", "planned"):
        r = _post(office, path, {"status": bad})
        assert r.status_code == 409 and r.json()["detail"], bad
    r = _post(office, path, {"status": "in_progress"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert _post(office, path, {"status": "in_progress"}).status_code == 409
    assert _post(office, path, {"status": "closed"}).status_code == 409  # no report yet
    assert _post(api_for("member1"), path, {"status": "closed"}).status_code == 403
    assert _post(office, path, {"status": "done"}).status_code == 422


def test_report_upload_contract(api_for, client_for, make_topic, member, user):
    t = make_topic("in_progress")
    m1 = api_for("member1")
    r = m1.post(
        f"/api/v1/research-topics/{t.pk}/report",
        {"file": _docx(), "recommendations": "建议一\n建议二"},
    )
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["status"] == "reported" and d["report"] and d["writer_ids"] == [member("member1").pk]
    assert [x["number"] for x in d["recommendations"]] == [1, 2]
    # The writer is credited once for the topic; the leader is told.
    assert DutyRecord.objects.filter(member=member("member1"), act="research_report").count() >= 1
    assert Notification.objects.filter(user=user("leader"), title__contains="报告已提交").exists()
    # The report file is served to those who see the topic, not to others.
    assert client_for("member1").get(d["report"]).status_code == 200
    assert client_for("leader").get(d["report"]).status_code == 200
    assert client_for("member3").get(d["report"]).status_code == 404
    assert client_for("other").get(d["report"]).status_code == 404
    # A second report: 409.
    r = m1.post(f"/api/v1/research-topics/{t.pk}/report", {"file": _docx()})
    assert r.status_code == 409


def test_report_upload_refuses_bad_files(api_for, make_topic):
    t = make_topic("in_progress")
    office = api_for("office")
    r = office.post(
        f"/api/v1/research-topics/{t.pk}/report", {"file": SimpleUploadedFile("报告.docx", b"not a zip")}
    )
    assert r.status_code == 422 and "文件" in r.json()["detail"]
    r = office.post(
        f"/api/v1/research-topics/{t.pk}/report", {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}
    )
    assert r.status_code == 422
    # Before the topic starts: 409.
    t2 = make_topic()
    assert office.post(f"/api/v1/research-topics/{t2.pk}/report", {"file": _docx()}).status_code == 409


def test_visit_is_a_meeting_of_the_activities_app(api_for, make_topic, today, user):
    from zhengxie.activities.models import Meeting

    t = make_topic("in_progress", kind="inspection")
    office = api_for("office")
    start = datetime.datetime.combine(today + datetime.timedelta(days=3), datetime.time(9))
    r = _post(
        office,
        f"/api/v1/research-topics/{t.pk}/visits",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
            "site": "县医院",
        },
    )
    assert r.status_code == 201, r.content
    v = r.json()["visits"][0]
    m = Meeting.objects.get(pk=v["meeting_id"])
    assert m.kind == "inspection" and m.status == "notified" and m.place == "县医院"
    assert v["invited"] == 2 and v["present"] == 0
    assert Notification.objects.filter(user=user("member1"), title__contains="会议通知").exists()
    assert "县医院" in r.json()["sites"]
    # A member may not arrange one; bad times are 422.
    assert (
        _post(
            api_for("member1"),
            f"/api/v1/research-topics/{t.pk}/visits",
            {"starts_at": start.isoformat(), "ends_at": start.isoformat()},
        ).status_code
        == 403
    )
    r = _post(
        office,
        f"/api/v1/research-topics/{t.pk}/visits",
        {"starts_at": start.isoformat(), "ends_at": (start - datetime.timedelta(hours=1)).isoformat()},
    )
    assert r.status_code == 422 and r.json()["field"] == "ends_at"


def test_finding_photo_loses_its_gps(api_for, make_topic):
    from PIL import Image

    from zhengxie.core.models import Attachment

    t = make_topic("in_progress")
    m1 = api_for("member1")
    r = m1.post(
        f"/api/v1/research-topics/{t.pk}/findings",
        {"content": "路面破损严重", "photo": SimpleUploadedFile("现场.jpg", _jpeg_with_gps())},
    )
    assert r.status_code == 201, r.content
    f = r.json()["findings"][0]
    assert f["content"] == "路面破损严重" and f["photo"]
    att = Attachment.objects.get(pk=int(f["photo"].rstrip("/").split("/")[-1]))
    with att.file.open("rb") as fh, Image.open(fh) as img:
        assert not img.getexif().get(0x8825) and not img.getexif().get(0x010F)
    # Text alone, photo alone; neither: 422. Member3 (not a participant): 404.
    assert m1.post(f"/api/v1/research-topics/{t.pk}/findings", {"content": ""}).status_code == 422
    assert (
        api_for("member3").post(f"/api/v1/research-topics/{t.pk}/findings", {"content": "x"}).status_code
        == 404
    )
    assert (
        api_for("leader").post(f"/api/v1/research-topics/{t.pk}/findings", {"content": "x"}).status_code
        == 403
    )


def test_generate_report_route_to_unit_and_follow_the_case(api_for, make_topic, member, user):
    t = make_topic("in_progress")
    office = api_for("office")
    r = _post(
        office,
        f"/api/v1/research-topics/{t.pk}/report/generate",
        {
            "writer_ids": [member("member1").pk, member("member2").pk],
            "recommendations": ["加强校车安全管理", "建设乡村学校食堂"],
        },
    )
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["report_source"] == "generated" and d["report"].startswith("/")
    assert sorted(d["writer_ids"]) == sorted([member("member1").pk, member("member2").pk])
    for name in ("member1", "member2"):
        assert (
            DutyRecord.objects.filter(member=member(name), act="research_report", source_id=str(t.pk)).count()
            == 1
        )
    rec = d["recommendations"][0]
    unit = user("handler1").handling_unit_id
    r = _post(office, f"/api/v1/research-recommendations/{rec['id']}/route", {"unit_id": unit})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "routed" and r.json()["unit_id"] == unit and r.json()["case_id"]
    case_id = r.json()["case_id"]
    a = Assignment.objects.get(case_id=case_id)
    assert a.unit_id == unit and a.owes
    # Twice: 409.
    assert (
        _post(office, f"/api/v1/research-recommendations/{rec['id']}/route", {"unit_id": unit}).status_code
        == 409
    )
    # The unit answers in its inbox; the office rates; the recommendation follows its case.
    h = api_for("handler1")
    assert _post(h, f"/api/v1/handling/cases/{case_id}/acknowledge", {}).status_code == 200
    r = _post(h, f"/api/v1/handling/cases/{case_id}/reply", {"content": "已将校车安全纳入年度重点工作。"})
    assert r.status_code == 200, r.content
    assert Recommendation.objects.get(pk=rec["id"]).status == "replied"
    r = _post(office, f"/api/v1/handling/cases/{case_id}/rate", {"rating": "satisfied"})
    assert r.status_code == 200, r.content
    assert Recommendation.objects.get(pk=rec["id"]).status == "closed"
    # handler2's unit does not see the case.
    assert api_for("handler2").get(f"/api/v1/handling/cases/{case_id}").status_code == 404


def test_route_as_opinion_and_proposal(api_for, make_topic, member):
    from zhengxie.opinions.models import Opinion
    from zhengxie.proposals.models import Proposal

    t = make_topic("reported")
    recs = list(t.recommendations.order_by("number"))
    m1 = api_for("member1")
    r = _post(m1, f"/api/v1/research-recommendations/{recs[0].pk}/route", {"as": "opinion"})
    assert r.status_code == 200, r.content
    o = Opinion.objects.get(pk=r.json()["opinion_id"])
    assert o.status == "draft" and "建议甲" in o.content and o.authors.get().member == member("member1")
    r = _post(m1, f"/api/v1/research-recommendations/{recs[1].pk}/route", {"as": "proposal"})
    assert r.status_code == 200, r.content
    p = Proposal.objects.get(pk=r.json()["proposal_id"])
    assert p.status == "draft" and p.lead_member == member("member1") and "建议乙" in p.suggestions
    assert r.json()["status"] == "proposal"
    # A non-participant member may not; the unit route is the staff's.
    t2 = make_topic("reported")
    rec = t2.recommendations.first()
    assert (
        _post(
            api_for("member3"), f"/api/v1/research-recommendations/{rec.pk}/route", {"as": "opinion"}
        ).status_code
        == 404
    )
    assert _post(m1, f"/api/v1/research-recommendations/{rec.pk}/route", {"unit_id": 1}).status_code == 403
    # Staff turn one into a participant's draft 社情民意 (member_id required).
    office = api_for("office")
    r = _post(office, f"/api/v1/research-recommendations/{rec.pk}/route", {"as": "opinion"})
    assert r.status_code == 422 and r.json()["field"] == "member_id"
    r = _post(
        office,
        f"/api/v1/research-recommendations/{rec.pk}/route",
        {"as": "opinion", "member_id": member("member2").pk},
    )
    assert r.status_code == 200 and r.json()["status"] == "opinion"


def test_another_county_sees_nothing(api_for, make_topic, user, today):
    t = make_topic("reported")
    rec = t.recommendations.first()
    other = api_for("other")
    assert other.get(f"/api/v1/research-topics/{t.pk}").status_code == 404
    assert _post(other, f"/api/v1/research-topics/{t.pk}/status", {"status": "closed"}).status_code == 404
    assert (
        _post(other, f"/api/v1/research-recommendations/{rec.pk}/route", {"as": "opinion"}).status_code == 404
    )
    assert t.pk not in [i["id"] for i in other.get("/api/v1/research-topics").json()["items"]]
    assert ResearchTopic.objects.get(pk=t.pk).status == "reported"
    # The city above reads its counties (but does not act in them).
    city = api_for("citystaff")
    assert city.get(f"/api/v1/research-topics/{t.pk}").status_code == 200
    assert _post(city, f"/api/v1/research-topics/{t.pk}/status", {"status": "closed"}).status_code == 403


def test_close_and_stats(api_for, make_topic, county, user, today):
    from zhengxie.research import stats

    before = stats.year_stats(user("leader"), today.year, organisation=county)
    t = make_topic("reported", kind="inspection", chair_collective=True)
    r = _post(api_for("office"), f"/api/v1/research-topics/{t.pk}/status", {"status": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    f = stats.year_stats(user("leader"), today.year, organisation=county)
    assert f["inspections"] == before["inspections"] + 1 and f["reports"] == before["reports"] + 1
    assert f["chair_collective"] == before["chair_collective"] + 1
    r = api_for("leader").get(f"/api/v1/research-topics/stats?year={today.year}")
    assert r.status_code == 200 and r.json()["sentence"].startswith("开展视察")
    assert api_for("member1").get("/api/v1/research-topics/stats").status_code == 404


def test_list_query_count_is_constant(api_for, make_topic, django_assert_max_num_queries):
    office = api_for("office")
    office.get("/api/v1/research-topics")
    with django_assert_max_num_queries(12):
        assert office.get("/api/v1/research-topics").status_code == 200
    for i in range(6):
        make_topic(title=f"课题{i}")
    with django_assert_max_num_queries(12):
        r = office.get("/api/v1/research-topics")
    assert r.status_code == 200 and r.json()["count"] >= 12
