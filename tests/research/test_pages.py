"""The pages: the list (figures, chart, filters, constant query count), 我的课题, the create and edit forms
(nothing typed lost on an error), the topic page with its forms (visit, finding with photo, report upload
and generation, recommendations and routing), the to-do and the dashboard section; another county and
members who do not take part get 404; the strict CSP holds."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.research.models import Finding, Recommendation, ResearchTopic

pytestmark = pytest.mark.django_db


def _docx():
    from docx import Document

    doc = Document()
    doc.add_paragraph("视察报告")
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile("视察报告.docx", buf.getvalue())


def _png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(buf, format="PNG")
    return SimpleUploadedFile("照片.png", buf.getvalue())


def test_list_query_count_is_constant(client_for, make_topic, today):
    c = client_for("leader")
    url = f"/research/?year={today.year}"
    c.get(url)
    for i in range(3):
        make_topic(title=f"批量课题{i}")
    with CaptureQueriesContext(connection) as few:
        r = c.get(url)
    assert r.status_code == 200 and "批量课题2" in r.content.decode()
    for i in range(3, 15):
        make_topic(title=f"批量课题{i}", status="in_progress")
    with CaptureQueriesContext(connection) as many:
        r = c.get(url)
    assert r.status_code == 200 and "批量课题14" in r.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_mine_query_count_is_constant(client_for, make_topic, django_assert_max_num_queries):
    c = client_for("member1")
    c.get("/research/mine/")
    for i in range(8):
        make_topic(title=f"我的课题{i}")
    with django_assert_max_num_queries(20):
        r = c.get("/research/mine/")
    assert r.status_code == 200 and "我的课题7" in r.content.decode()


def test_list_shows_the_year_and_filters(client_for, make_topic, today):
    make_topic(title="独一无二的视察", kind="inspection", chair_collective=True)
    c = client_for("office")
    r = c.get(f"/research/?year={today.year}&q=独一无二")
    html = r.content.decode()
    assert r.status_code == 200 and "独一无二的视察" in html and "主席集体" in html
    assert (
        'id="research-new"' in html
        and "开展视察" in html
        and 'data-chart-source="research-status-chart"' in html
    )
    assert (
        "独一无二的视察"
        not in c.get(f"/research/?year={today.year}&q=独一无二&kind=research").content.decode()
    )
    # Members land on their own list; the menu says 我的课题.
    m = client_for("member3")
    assert m.get("/research/").status_code == 302
    html = m.get("/research/mine/").content.decode()
    assert "独一无二的视察" not in html and "全县重点项目建设推进情况" in html
    assert "我的课题" in client_for("member1").get("/").content.decode()


def test_create_form_keeps_what_was_typed(client_for, user, member, today):
    c = client_for("office")
    assert c.get("/research/new/").status_code == 200
    data = {
        "kind": "inspection",
        "year": today.year,
        "title": "关于河道治理的视察",
        "background": "汛期前了解河道清淤情况",
        "leader": user("leader").pk,
        "members": [member("member1").pk],
        "writers": [member("member2").pk],  # not a participant
        "starts_on": str(today),
        "ends_on": str(today + datetime.timedelta(days=5)),
        "sites": "东河\n西河",
    }
    r = c.post("/research/new/", data)
    html = r.content.decode()
    assert r.status_code == 422 and "执笔人须为参加本课题的委员" in html
    assert "关于河道治理的视察" in html and "汛期前了解河道清淤情况" in html and "东河" in html
    data["writers"] = [member("member1").pk]
    r = c.post("/research/new/", data)
    t = ResearchTopic.objects.get(title="关于河道治理的视察")
    assert r.status_code == 302 and r["Location"] == f"/research/{t.pk}/"
    assert (
        t.sites == ["东河", "西河"]
        and t.kind == "inspection"
        and list(t.writers.all()) == [member("member1")]
    )
    # Edit: the title changes, the kind stays.
    r = c.post(f"/research/{t.pk}/edit/", {**data, "kind": "research", "title": "关于河道治理的视察（修改）"})
    t.refresh_from_db()
    assert r.status_code == 302 and t.title.endswith("（修改）") and t.kind == "inspection"
    # Others may not open the form.
    assert client_for("staff").get("/research/new/").status_code == 404
    assert client_for("member1").get(f"/research/{t.pk}/edit/").status_code == 404


def test_topic_page_journey(client_for, make_topic, member, user, today):
    t = make_topic()
    office = client_for("office")
    html = office.get(f"/research/{t.pk}/").content.decode()
    assert 'id="research-start"' in html and 'id="visit-form"' in html
    assert "style=" not in html
    assert office.post(f"/research/{t.pk}/status/", {"status": "in_progress"}).status_code == 302
    # A visit with bad times: the message next to the field, the site kept.
    start = datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(9))
    r = office.post(
        f"/research/{t.pk}/visits/",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "site": "某某村",
        },
    )
    assert (
        r.status_code == 422
        and "结束时间不能早于开始时间" in r.content.decode()
        and "某某村" in r.content.decode()
    )
    r = office.post(
        f"/research/{t.pk}/visits/",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "site": "某某村",
        },
    )
    assert r.status_code == 302
    # member1 records a finding with a photo, then submits the report.
    m1 = client_for("member1")
    html = m1.get(f"/research/{t.pk}/").content.decode()
    assert "某某村" in html and 'id="finding-form"' in html and 'id="research-start"' not in html
    r = m1.post(f"/research/{t.pk}/findings/", {"content": "村道缺少路灯", "photo": _png()})
    assert r.status_code == 302
    f = Finding.objects.get(topic=t)
    assert f.photo.mime_type == "image/png"
    html = m1.get(f"/research/{t.pk}/").content.decode()
    assert "村道缺少路灯" in html and f"/files/{f.photo_id}/" in html
    assert m1.get(f"/files/{f.photo_id}/").status_code == 200
    assert client_for("member3").get(f"/files/{f.photo_id}/").status_code == 404
    r = m1.post(f"/research/{t.pk}/findings/", {"content": "", "photo": SimpleUploadedFile("x.png", b"junk")})
    assert r.status_code == 422 and "文件" in r.content.decode()
    r = m1.post(
        f"/research/{t.pk}/report/",
        {
            "file": _docx(),
            "writers": [str(member("member1").pk)],
            "recommendations": "增设村道路灯\n建立养护机制",
        },
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "reported" and t.report.original_name == "视察报告.docx"
    # The office routes one to 县教育局 and adds another; member1 turns one into a proposal draft.
    recs = list(Recommendation.objects.filter(topic=t).order_by("number"))
    html = office.get(f"/research/{t.pk}/").content.decode()
    assert "县教育局" in html and 'id="research-close"' in html
    r = office.post(f"/research/recommendations/{recs[0].pk}/route/", {"unit": ""})
    assert r.status_code == 422 and "请选择承办单位" in r.content.decode()
    r = office.post(
        f"/research/recommendations/{recs[0].pk}/route/", {"unit": user("handler1").handling_unit_id}
    )
    assert r.status_code == 302
    r = m1.post(f"/research/recommendations/{recs[1].pk}/route/", {"as": "proposal"})
    assert r.status_code == 302
    html = office.get(f"/research/{t.pk}/").content.decode()
    assert "已交办" in html and "已转提案" in html and "办理情况" in html
    assert office.post(f"/research/{t.pk}/status/", {"status": "closed"}).status_code == 302
    assert ResearchTopic.objects.get(pk=t.pk).status == "closed"


def test_generate_report_page(client_for, make_topic, member):
    t = make_topic("in_progress")
    c = client_for("office")
    r = c.post(
        f"/research/{t.pk}/report/generate/",
        {"writers": [str(member("member2").pk)], "recommendations": "完善设施", "summary": "综上"},
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.report_source == "generated" and t.report.original_name.endswith(".docx")
    from docx import Document

    with t.report.file.open("rb") as fh:
        text = "\n".join(p.text for p in Document(fh).paragraphs)
    assert "测试调研课题" in text and "完善设施" in text and "执笔人：刘芳" in text


def test_other_county_and_outsiders_get_404(client_for, make_topic):
    t = make_topic("reported")
    rec = t.recommendations.first()
    for name in ("other", "member3"):
        c = client_for(name)
        assert c.get(f"/research/{t.pk}/").status_code == 404
        assert c.post(f"/research/{t.pk}/findings/", {"content": "x"}).status_code == 404
        assert c.post(f"/research/recommendations/{rec.pk}/route/", {"as": "opinion"}).status_code == 404
    assert client_for("member2").post(f"/research/{t.pk}/status/", {"status": "closed"}).status_code == 404
    assert ResearchTopic.objects.get(pk=t.pk).status == "reported"


def test_todo_and_dashboard(user, make_topic, member, today):
    from zhengxie.core.dashboard import Period
    from zhengxie.core.navigation import todos_for
    from zhengxie.research.dashboard import research_figures

    label = "已过结束日期、尚未提交报告的视察调研课题"
    before = {
        n: sum(t["count"] for t in todos_for(user(n)) if t["label"] == label) for n in ("office", "member2")
    }
    make_topic(
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
        writer_ids=[member("member2").pk],
    )
    for n in ("office", "member2"):
        assert sum(t["count"] for t in todos_for(user(n)) if t["label"] == label) == before[n] + 1
    section = research_figures(user("leader"), Period(None, today.year))
    assert section is not None and section.note.startswith("开展视察") and section.charts
    assert research_figures(user("member1"), Period(None, today.year)) is None


def test_pages_keep_the_strict_csp(client_for, make_topic, today):
    t = make_topic("reported")
    office = client_for("office")
    for url in (
        f"/research/?year={today.year}",
        "/research/new/",
        f"/research/{t.pk}/",
        f"/research/{t.pk}/edit/",
    ):
        html = office.get(url).content.decode()
        assert "style=" not in html, url
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in s for s in scripts), (url, scripts)


def test_dashboard_page_shows_the_section(client_for, today):
    html = client_for("leader").get("/dashboard/").content.decode()
    assert 'id="research-inspections"' in html and "开展视察2次、调研课题4个，形成调研报告2篇" in html
    assert 'data-chart-source="research-status-chart"' in html or "research-status-chart" in html


def test_a_refused_recommendation_keeps_the_text(client_for, make_topic):
    t = make_topic("reported")
    r = client_for("office").post(f"/research/{t.pk}/recommendations/", {"content": "x" * 2001})
    html = r.content.decode()
    assert r.status_code == 422 and "不能超过2000字" in html and "x" * 2001 in html
    assert not t.recommendations.filter(content__startswith="xxx").exists()


def test_the_receiving_unit_reads_the_topic(client_for, county, today):
    t = ResearchTopic.objects.get(organisation=county, title="全县义务教育阶段学校布局优化")
    html = client_for("handler1").get(f"/research/{t.pk}/").content.decode()
    assert "意见建议及去向" in html and 'id="research-start"' not in html and 'name="unit"' not in html
    assert client_for("handler2").get(f"/research/{t.pk}/").status_code == 404
    # The topic's files (the report, photos) are served by the same rule.
    from zhengxie.core.models import User

    assert User.objects.get(username="handler1").has_perm("research.view_researchtopic", t)
    assert not User.objects.get(username="handler2").has_perm("research.view_researchtopic", t)
