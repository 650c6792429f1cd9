"""Consultations themselves: staff create one into the year's plan, edit it, take it through its steps,
arrange its meeting through the meetings module and record who spoke (duty points); members and other
counties see what they may; the API's contract; the statistics and their sentence."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.activities.models import Meeting
from zhengxie.consultation.models import Consultation
from zhengxie.consultation.services import consultations as services
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Organisation
from zhengxie.members.models import Member
from zhengxie.performance.models import DutyRecord


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def new(db, user):
    def make(**extra):
        data = {
            "title": "推进城乡供水一体化",
            "form": "bimonthly",
            "year": timezone.localdate().year,
            **extra,
        }
        return services.create(user=user("office"), **data)

    return make


def test_staff_create_edit_and_step_through(new, user, county):
    c = new(planned_month=5)
    assert c.status == "planned" and c.organisation == county
    services.update(user=user("office"), consultation=c, title="推进城乡供水一体化建设")
    c = services.step(user=user("office"), consultation=c, action="open")
    assert c.status == "open"
    c = services.step(user=user("office"), consultation=c, action="hold")
    assert c.status == "held" and c.held_on == timezone.localdate()
    with pytest.raises(Conflict):
        services.step(user=user("office"), consultation=c, action="open")
    c = services.close(user=user("office"), consultation=c)
    assert c.status == "closed"
    with pytest.raises(Conflict):
        services.update(user=user("office"), consultation=c, title="再改")
    actions = list(
        AuditEntry.objects.filter(target_id=str(c.pk), action__startswith="consultation.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "consultation.create",
        "consultation.update",
        "consultation.open",
        "consultation.hold",
        "consultation.close",
    ]


def test_bad_input_is_refused_in_chinese(new):
    with pytest.raises(Invalid, match="协商题目"):
        new(title="  ")
    # #8: the same text rule as 协商选题 (core.textinput.limited_text): a number is refused, not a 500,
    # and a long title is told its length
    with pytest.raises(Invalid, match="协商题目须为文本"):
        new(title=5)
    with pytest.raises(Invalid, match=r"协商题目不能超过200个字（现为201字）"):
        new(title="题" * 201)
    with pytest.raises(Invalid, match="月份"):
        new(planned_month=13)
    now = timezone.now()
    with pytest.raises(Invalid, match="截止时间须晚于"):
        new(form="online", opens_at=now, closes_at=now - datetime.timedelta(hours=1))
    with pytest.raises(Invalid, match="时间窗口"):
        new(public=True)


def test_only_consultation_staff_create(user):
    for username in ("member1", "handler1", "staff", "leader"):
        with pytest.raises(Forbidden):
            services.create(user=user(username), title="x", form="sector", year=2026)


def test_an_online_hall_needs_its_window_before_it_opens(new, user):
    c = new(form="online")
    with pytest.raises(Invalid, match="开始和截止时间"):
        services.step(user=user("office"), consultation=c, action="open")


def test_meeting_through_the_meetings_module_and_attendance_act(new, user):
    c = new()
    start = timezone.now() + datetime.timedelta(days=3)
    m = services.create_meeting(
        user=user("office"),
        consultation=c,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        standing=True,
    )
    assert m.kind == Meeting.Kind.CONSULTATION
    assert (
        m.invitations.count()
        == Member.objects.filter(organisation=c.organisation, is_standing=True, status="active").count()
    )
    from zhengxie.activities.acts import act_for

    assert act_for(m.kind, "present") == "consultation_attend"
    with pytest.raises(Conflict):
        services.create_meeting(user=user("office"), consultation=c, starts_at=start, ends_at=start)


def test_a_member_speaking_earns_duty_points_and_losing_the_record_withdraws_them(new, user, county):
    c = new()
    services.step(user=user("office"), consultation=c, action="open")
    member = user("member1").member
    s = services.add_segment(
        user=user("office"), consultation=c, kind="speech", member=member, title="关于水价的建议"
    )
    w = services.add_segment(
        user=user("office"),
        consultation=c,
        kind="speech",
        member=member,
        content="书面发言全文",
        written=True,
    )
    services.add_segment(user=user("office"), consultation=c, kind="briefing", speaker_label="县水利局局长")
    live = DutyRecord.objects.filter(
        member=member,
        voided=False,
        act__in=["speech_oral", "speech_written"],
        source_id__in=[str(s.pk), str(w.pk)],
    )
    assert sorted(live.values_list("act", flat=True)) == ["speech_oral", "speech_written"]
    # The member's record names what was said where, not "Segment object (7)".
    assert sorted(live.values_list("source_repr", flat=True)) == [
        "推进城乡供水一体化 · 书面发言",
        "推进城乡供水一体化 · 发言：关于水价的建议",
    ]
    services.remove_segment(user=user("office"), segment=s)
    assert sorted(live.values_list("act", flat=True)) == ["speech_written"]
    other = Member.objects.exclude(organisation=county).first()
    with pytest.raises(Invalid, match="本会委员"):
        services.add_segment(user=user("office"), consultation=c, kind="speech", member=other)


def test_pages_for_staff_members_units_and_other_counties(client_for, county):
    c = Consultation.objects.get(organisation=county, form="standing_topic", year=timezone.localdate().year)
    page = client_for("office").get(reverse("consultation:detail", args=[c.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "推进县域义务教育优质均衡发展" in html and "step-" in html and "书面发言" in html
    member_page = client_for("member1").get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert "step-" not in member_page and "通报" in member_page
    assert (
        client_for("handler1").get(reverse("consultation:detail", args=[c.pk])).status_code == 200
    )  # 教育局 attends
    assert client_for("handler2").get(reverse("consultation:detail", args=[c.pk])).status_code == 404
    assert client_for("other").get(reverse("consultation:detail", args=[c.pk])).status_code == 404
    listing = client_for("member1").get(reverse("consultation:list")).content.decode()
    assert "推进县域义务教育优质均衡发展" in listing and "有事好商量" in listing
    assert "推进县域义务教育" not in client_for("other").get(reverse("consultation:list")).content.decode()


def test_the_create_form_keeps_what_was_typed_on_an_error(client_for):
    r = client_for("office").post(
        reverse("consultation:create"),
        {"title": "城区停车", "form": "online", "year": "2026", "public": "on"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "时间窗口" in html and "城区停车" in html
    r = client_for("office").post(
        reverse("consultation:create"), {"title": "城区停车", "form": "counterpart", "year": "2026"}
    )
    assert r.status_code == 302


def test_list_queries_do_not_grow_with_rows(client_for, new):
    c = client_for("office")
    url = reverse("consultation:list")
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(25):
        new(title=f"协商{i}")
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few)


def test_api_contract(api_for, county):
    api = api_for("office")
    year = timezone.localdate().year
    r = api.post(
        "/api/v1/consultations",
        {
            "title": "网络议政：夜间经济",
            "form": "online",
            "year": year,
            "public": True,
            "opens_at": "2026-12-01T08:00:00+08:00",
            "closes_at": "2026-12-20T20:00:00+08:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "planned" and body["form"] == "online" and body["public"] is True
    cid = body["id"]
    assert (
        api.post(
            "/api/v1/consultations",
            {"title": "x", "form": "chat", "year": year},
            content_type="application/json",
        ).status_code
        == 422
    )
    listed = api.get(f"/api/v1/consultations?year={year}&form=online").json()
    assert cid in [i["id"] for i in listed["items"]] and all(i["form"] == "online" for i in listed["items"])
    r = api.patch(f"/api/v1/consultations/{cid}", {"status": "open"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["hall_open"] is True
    r = api.patch(f"/api/v1/consultations/{cid}", {"status": "planned"}, content_type="application/json")
    assert r.status_code == 409 and "不能改为" in r.json()["detail"]
    assert (
        api_for("member1")
        .patch(f"/api/v1/consultations/{cid}", {"title": "y"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api_for("other").get(f"/api/v1/consultations/{cid}").status_code == 404
    assert api_for("member1").get(f"/api/v1/consultations/{cid}").status_code == 200


def test_stats_count_each_form_and_make_the_sentence(client_for, api_for, county):
    s = api_for("office").get("/api/v1/consultations/stats").json()
    by = {f["form"]: f for f in s["by_form"]}
    year = timezone.localdate().year
    held = Consultation.objects.filter(year=year, status__in=["held", "outcome_sent", "closed"])
    assert (
        by["standing_topic"]["done"] == held.filter(organisation=county, form="standing_topic").count() >= 1
    )
    assert (
        by["grassroots"]["done"]
        == held.filter(
            form="grassroots", organisation__path__startswith=county.path, organisation__kind="liaison"
        ).count()
        >= 1
    )
    assert s["sentence"].startswith(f"开展全体会议协商{by['plenary']['done']}次、常委会专题协商")
    assert "有事好商量" in s["sentence"] and "形成协商成果" in s["sentence"]
    page = client_for("leader").get(reverse("consultation:stats"))
    assert page.status_code == 200 and s["sentence"] in page.content.decode()
    # The two charts draw: the page loads ECharts (app.js renders nothing without it).
    assert "vendor/echarts/echarts.min.js" in page.content.decode()
    x = client_for("office").get(reverse("consultation:stats") + "?format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("member1").get(reverse("consultation:stats")).status_code == 404


def test_leaders_dashboard_and_members_workbench(client_for):
    board = client_for("leader").get(reverse("dashboard:index")).content.decode()
    assert "协商议事（" in board and "consultation-done" in board
    workbench = client_for("member1").get(reverse("core:workbench")).content.decode()
    assert "正在进行的网络议政" in workbench
    assert "正在进行的网络议政" not in client_for("other").get(reverse("core:workbench")).content.decode()


def test_qr_posters_of_a_public_hall_and_an_open_call(client_for, county):
    from zhengxie.consultation.models import TopicCall

    hall = Consultation.objects.filter(organisation=county, public=True, status="open").first()
    office = client_for("office")
    r = office.get(reverse("consultation:poster", args=[hall.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert office.get(reverse("consultation:poster", args=[hall.pk, "png"]))["Content-Type"] == "image/png"
    assert office.get(reverse("consultation:poster", args=[hall.pk, "gif"])).status_code == 404
    closed = Consultation.objects.filter(organisation=county, public=False).first()
    assert office.get(reverse("consultation:poster", args=[closed.pk, "pdf"])).status_code == 404
    assert client_for("member1").get(reverse("consultation:poster", args=[hall.pk, "pdf"])).status_code == 404
    assert "hall-poster-pdf" in office.get(reverse("consultation:hall", args=[hall.pk])).content.decode()
    call = TopicCall.objects.filter(organisation=county).first()
    r = office.get(reverse("consultation:call_poster", args=[call.pk, "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_a_consultation_links_the_research_done_before_it(api_for, client_for, county):
    """会前调研: a consultation names the 视察/调研 topics it builds on (the committee's own only); its page
    links them."""
    from zhengxie.research.models import ResearchTopic

    api = api_for("office")
    mine = ResearchTopic.objects.filter(organisation=county).order_by("id")[:2]
    from zhengxie.core.models import Organisation, User

    elsewhere = ResearchTopic.objects.create(
        organisation=Organisation.objects.get(code="demo-county-2"),
        year=timezone.localdate().year,
        title="石门区的调研课题",
        leader=User.objects.get(username="other"),
        created_by=User.objects.get(username="other"),
    )
    year = timezone.localdate().year
    r = api.post(
        "/api/v1/consultations",
        {
            "title": "教育资源均衡配置专题协商",
            "form": "bimonthly",
            "year": year,
            "research_topic_ids": [mine[0].pk],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert [t["id"] for t in r.json()["research_topics"]] == [mine[0].pk]
    r = api.patch(
        f"/api/v1/consultations/{cid}",
        {"research_topic_ids": [t.pk for t in mine]},
        content_type="application/json",
    )
    assert r.status_code == 200 and len(r.json()["research_topics"]) == 2
    if elsewhere is not None:
        bad = api.patch(
            f"/api/v1/consultations/{cid}",
            {"research_topic_ids": [elsewhere.pk]},
            content_type="application/json",
        )
        assert bad.status_code == 422 and "调研课题" in bad.json()["detail"]
    page = client_for("office").get(f"/consultation/{cid}/").content.decode()
    assert mine[0].title in page and f"/research/{mine[0].pk}/" in page
    # The demo links the school-balance consultation to its reported research topic.
    from zhengxie.consultation.models import Consultation

    assert Consultation.objects.filter(organisation=county, research_topics__isnull=False).exists()


def test_the_forms_are_styled_and_a_list_of_checkboxes_has_its_label_above(client_for, new, user):
    """The new/edit form, the meeting, segment, minutes and material forms carry Bootstrap's classes (not
    bare browser inputs), and 参加部门 is named above its forty checkboxes, not under them."""
    office = client_for("office")
    page = office.get(reverse("consultation:create")).content.decode()
    assert 'class="form-control"' in page.split('name="title"')[1].split(">")[0]
    assert 'class="form-select"' in page.split('name="form"')[1].split(">")[0]
    label, first_box = page.index("参加部门"), page.index('name="departments"')
    assert label < first_box
    assert "class=" not in page.split('id="id_departments"')[1].split(">")[0]  # no input style on the list
    c = services.step(user=user("office"), consultation=new(), action="open")
    detail = office.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    for name in ("place", "minutes", "speaker_label"):
        tag = detail.split(f'name="{name}"')[1].split(">")[0]
        assert "form-control" in tag, name
    # the material's file: the site's Chinese picker, whose box carries the Bootstrap style (issue 15)
    picker = detail.split('name="upload"')[0].rsplit("<div", 1)[1] + detail.split('name="upload"')[1][:600]
    assert (
        "file-picker" in picker and 'class="form-control file-picker-name"' in picker and "选择文件" in picker
    )
    assert 'class="form-select"' in detail.split('name="invite"')[1].split(">")[0]


def test_a_planned_consultation_offers_no_segment_form_it_would_refuse(client_for, new, user):
    """Before 开始 the page says when segments can be recorded instead of a form that answers 不能记录."""
    office = client_for("office")
    c = new()
    page = office.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert 'id="segment-form"' not in page and "开始”后，可在此记录" in page
    services.step(user=user("office"), consultation=c, action="open")
    page = office.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert 'id="segment-form"' in page and "segments-later" not in page


def test_a_liaison_group_holds_only_youshi_haoshangliang(api_for, client_for):
    """A 乡镇联络组 runs 有事好商量; it cannot put a 全体会议协商 or a 网络议政 into its own name."""
    api = api_for("liaison")
    year = timezone.localdate().year
    for form in ("plenary", "online"):
        r = api.post(
            "/api/v1/consultations",
            {"title": "联络组协商", "form": form, "year": year},
            content_type="application/json",
        )
        assert r.status_code == 422 and r.json()["detail"] == "乡镇（街道）联络组只能开展“有事好商量”协商。"
    r = api.post(
        "/api/v1/consultations",
        {"title": "有事好商量：社区停车位划定", "form": "grassroots", "year": year},
        content_type="application/json",
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    r = api.patch(f"/api/v1/consultations/{cid}", {"form": "plenary"}, content_type="application/json")
    assert r.status_code == 422
    page = client_for("liaison").get(reverse("consultation:create")).content.decode()
    options = page.split('name="form"')[1].split("</select>")[0]
    assert "有事好商量" in options and "全体会议协商" not in options


def test_year_pickers_keep_their_button_labels_on_one_line(client_for):
    """查看 and 导出 beside a year box do not break into one character per line on a narrow column."""
    office = client_for("office")
    for name in ("consultation:stats", "consultation:outcomes"):
        html = office.get(reverse(name)).content.decode()
        button = html.split(">查看</button>")[0].rsplit("<button", 1)[1]
        assert "text-nowrap" in button, name


def test_a_youshi_haoshangliang_is_held_at_a_studio_chosen_on_the_form(client_for, county):
    """有事好商量 at a 委员工作室: the office picks the studio on the page; the page names it; the edit form
    keeps it; another committee's studio is not offered and refused if posted."""
    from zhengxie.studios.models import Studio

    studio = Studio.objects.filter(organisation=county, active=True).order_by("name").first()
    elsewhere = Studio.objects.exclude(organisation=county).first()
    office = client_for("office")
    page = office.get(reverse("consultation:create")).content.decode()
    options = page.split('name="studio"')[1].split("</select>")[0]
    assert studio.name in options and elsewhere.name not in options
    year = str(timezone.localdate().year)
    data = {"title": "有事好商量：社区养老食堂", "form": "grassroots", "year": year}
    r = office.post(reverse("consultation:create"), {**data, "studio": elsewhere.pk})
    assert r.status_code == 200 and "社区养老食堂" in r.content.decode()
    r = office.post(reverse("consultation:create"), {**data, "studio": studio.pk})
    assert r.status_code == 302
    c = Consultation.objects.get(title="有事好商量：社区养老食堂")
    assert c.studio == studio
    detail = office.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert "委员工作室" in detail and studio.name in detail
    edit = office.get(reverse("consultation:edit", args=[c.pk])).content.decode()
    assert f'<option value="{studio.pk}" selected>' in edit
