"""The pages: the index (figures, chart, list; members see their own groups), a group's page (lists,
add an item with evidence, confirm, rate; finish and close), the create form (nothing typed lost on an
error), the 票决 pages (create, vote once, paper result, close), the report, the to-dos, the dashboard
section and the menu; constant query counts on the lists; other counties and outsiders get 404."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.filepicker import assert_picker
from zhengxie.core.models import HandlingUnit
from zhengxie.supervision.models import Item, Selection, Supervision

pytestmark = pytest.mark.django_db


def test_index_for_staff_and_members(client_for, today):
    r = client_for("leader").get(f"/supervision/?year={today.year}")
    html = r.content.decode()
    assert r.status_code == 200
    assert "票决委派民主监督小组2个" in html and 'data-chart-source="supervision-chart"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "县教育局民主监督小组" in html and "县住建局民主监督小组" in html
    assert 'style="' not in html
    r = client_for("member1").get("/supervision/")
    html = r.content.decode()
    assert "我的监督小组" in html and "县教育局民主监督小组" in html and "县住建局民主监督小组" not in html
    assert "supervision-sentence" not in html
    assert 'id="supervision-new"' in client_for("office").get("/supervision/").content.decode()


def test_index_query_count_is_constant(client_for, make_group, county):
    c = client_for("leader")
    url = "/supervision/"
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for u in HandlingUnit.objects.filter(organisation=county).order_by("id")[:8]:
        make_group(unit=u)
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_detail_query_count_does_not_grow_with_items(client_for, make_group, user):
    from zhengxie.supervision import services

    s = make_group()
    c = client_for("member1")

    def count():
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"/supervision/{s.pk}/").status_code == 200
        return len(q)

    services.add_item(user("member1"), s, list="problem", content="第一条")
    count()  # the first request fills per-process caches (content types)
    few = count()
    for i in range(6):
        services.add_item(user("member1"), s, list="problem", content=f"问题{i}")
        services.add_item(user("member1"), s, list="suggestion", content=f"建议{i}")
    assert count() == few


def test_group_page_add_item_with_evidence_and_errors(client_for, make_group):
    s = make_group()
    c = client_for("member1")
    r = c.get(f"/supervision/{s.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="item-form"' in html and 'id="rating-form"' in html
    assert 'id="btn-finish"' not in html  # a member does not end the rating
    pdf = SimpleUploadedFile("现场记录.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    r = c.post(
        f"/supervision/{s.pk}/items/",
        {"list": "rectification", "content": "公开收费标准", "deadline": "", "evidence": pdf},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    i = Item.objects.get(supervision=s)
    assert i.status == "routed" and i.case_id
    html = c.get(f"/supervision/{s.pk}/").content.decode()
    assert "现场记录.pdf" in html and "整改中" in html
    # Both file inputs are the site's Chinese picker (issue 15); the item's own is labelled, its box closed.
    assert_picker(html, "evidence")
    assert_picker(html, f"e{i.pk}-file")
    assert f'<label class="visually-hidden" for="id_e{i.pk}-file">佐证材料</label>' in html
    assert '<details class="mt-1"><summary' in html
    # Sent without a file: the message under it, the box open, the picker again.
    r = c.post(f"/supervision/items/{i.pk}/evidence/", {})
    html = r.content.decode()
    assert r.status_code == 422 and '<details class="mt-1" open>' in html and "必填" in html
    assert 'aria-invalid="true"' in assert_picker(html, f"e{i.pk}-file")
    # A bad file: the message next to the field, the text kept.
    bad = SimpleUploadedFile("x.pdf", b"nope", content_type="application/pdf")
    r = c.post(
        f"/supervision/{s.pk}/items/", {"list": "problem", "content": "我写的问题内容", "evidence": bad}
    )
    html = r.content.decode()
    assert r.status_code == 422 and "我写的问题内容" in html and "文件" in html
    # A past deadline: the message next to the field.
    r = c.post(
        f"/supervision/{s.pk}/items/",
        {"list": "rectification", "content": "整改内容甲", "deadline": "2000-01-01"},
    )
    assert r.status_code == 422 and "办理期限须晚于今天" in r.content.decode()
    assert Item.objects.filter(supervision=s).count() == 1
    # Outsiders: 404.
    assert client_for("member3").get(f"/supervision/{s.pk}/").status_code == 404
    assert client_for("other").get(f"/supervision/{s.pk}/").status_code == 404
    assert (
        client_for("member3")
        .post(f"/supervision/{s.pk}/items/", {"list": "problem", "content": "x"})
        .status_code
        == 404
    )


def test_confirm_from_the_page(client_for, make_group, user):
    from zhengxie.handling.services import flow
    from zhengxie.supervision import services

    s = make_group()
    i = services.add_item(user("member2"), s, list="rectification", content="整改事项")
    handler = HandlingUnit.objects.get(pk=s.unit_id)
    from zhengxie.core.models import User

    h = User.objects.filter(handling_unit=handler).first()
    flow.reply(user=h, case=i.case_id, content="已整改完毕。")
    c = client_for("member1")
    html = c.get(f"/supervision/{s.pk}/").content.decode()
    assert "请确认整改情况" in html
    # Sent back without a note: the message, nothing changed.
    r = c.post(f"/supervision/items/{i.pk}/confirm/", {f"c{i.pk}-accepted": "no", f"c{i.pk}-note": ""})
    assert r.status_code == 422 and "意见" in r.content.decode()
    assert Item.objects.get(pk=i.pk).status == "replied"
    r = c.post(f"/supervision/items/{i.pk}/confirm/", {f"c{i.pk}-accepted": "yes", f"c{i.pk}-note": "好"})
    assert r.status_code == 302
    assert Item.objects.get(pk=i.pk).status == "rectified"
    assert "已整改" in c.get(f"/supervision/{s.pk}/").content.decode()


def test_rating_finish_and_close_from_the_page(client_for, make_group, user):
    s = make_group()
    for username in ("member1", "member2"):
        c = client_for(username)
        r = c.post(f"/supervision/{s.pk}/rate/", {f"aspect_{i}": "satisfied" for i in range(4)})
        assert r.status_code == 302
    o = client_for("office")
    html = o.get(f"/supervision/{s.pk}/").content.decode()
    assert 'id="btn-finish"' in html and 'id="rating-valid">有效' in html
    assert o.post(f"/supervision/{s.pk}/finish/").status_code == 302
    assert Supervision.objects.get(pk=s.pk).status == "rated"
    assert o.post(f"/supervision/{s.pk}/close/").status_code == 302
    assert Supervision.objects.get(pk=s.pk).status == "closed"
    # Closing again: a message, nothing changed.
    r = o.post(f"/supervision/{s.pk}/close/", follow=True)
    assert "已结束" in r.content.decode()
    assert client_for("member1").post(f"/supervision/{s.pk}/close/").status_code == 404


def test_create_form_keeps_what_was_typed(client_for, member, county, today):
    c = client_for("office")
    unit = HandlingUnit.objects.get(organisation=county, short_name="交通局")
    assert c.get(f"/supervision/new/?unit_id={unit.pk}&year={today.year}").status_code == 200
    r = c.post(
        "/supervision/new/",
        {
            "year": today.year,
            "unit_id": unit.pk,
            "title": "我输入的小组名称",
            "leader_member_id": member("member2").pk,
            "member_ids": [member("member1").pk],
            "starts_on": str(today),
            "ends_on": str(today - datetime.timedelta(days=3)),
        },
    )
    html = r.content.decode()
    assert r.status_code == 422 and "我输入的小组名称" in html and "结束日期不能早于开始日期" in html
    r = c.post(
        "/supervision/new/",
        {
            "year": today.year,
            "unit_id": unit.pk,
            "title": "交通局监督小组",
            "leader_member_id": member("member2").pk,
            "member_ids": [member("member1").pk],
        },
    )
    assert r.status_code == 302
    assert Supervision.objects.get(title="交通局监督小组").members.count() == 1
    assert client_for("staff").get("/supervision/new/").status_code == 404
    assert client_for("member1").get("/supervision/new/").status_code == 404


def test_report_page(client_for, county):
    s = Supervision.objects.filter(organisation=county).order_by("id").first()
    r = client_for("member1").get(f"/supervision/{s.pk}/report.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("other").get(f"/supervision/{s.pk}/report.docx").status_code == 404


def test_vote_pages(client_for, county, today):
    from zhengxie.supervision.services import standing_members

    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:3])
    o = client_for("office")
    assert o.get("/supervision/votes/").status_code == 200
    # An error keeps the rows typed.
    data = {"year": today.year, "title": "补充票决", "choose": 5}
    for i, u in enumerate(units):
        data[f"c_unit_{i}"] = u.pk
        data[f"c_reason_{i}"] = f"我写的理由{i}"
    r = o.post("/supervision/votes/new/", data)
    html = r.content.decode()
    assert r.status_code == 422 and "我写的理由2" in html and "拟选单位数" in html
    data["choose"] = 1
    r = o.post("/supervision/votes/new/", data)
    assert r.status_code == 302
    sel = Selection.objects.get(title="补充票决")
    # member3 (常委) votes once; the to-do disappears.
    m = client_for("member3")
    assert "待参加的民主监督票决" in m.get("/").content.decode()
    html = m.get(f"/supervision/votes/{sel.pk}/").content.decode()
    assert 'id="ballot-form"' in html
    r = m.post(f"/supervision/votes/{sel.pk}/ballot/", {"unit_ids": [units[0].pk, units[1].pk]})
    assert r.status_code == 422 and "最多选择1个" in r.content.decode()
    assert m.post(f"/supervision/votes/{sel.pk}/ballot/", {"unit_ids": [units[0].pk]}).status_code == 302
    html = m.get(f"/supervision/votes/{sel.pk}/").content.decode()
    assert 'id="vote-done"' in html and 'id="ballot-form"' not in html
    r = m.post(f"/supervision/votes/{sel.pk}/ballot/", {"unit_ids": [units[0].pk]})
    assert r.status_code == 422 and "限投一次" in r.content.decode()
    assert "待参加的民主监督票决" not in m.get("/").content.decode()
    # A non-standing member sees the vote without a ballot form; a unit and another county see nothing.
    assert (
        'id="ballot-form"' not in client_for("member1").get(f"/supervision/votes/{sel.pk}/").content.decode()
    )
    assert client_for("handler1").get(f"/supervision/votes/{sel.pk}/").status_code == 404
    assert client_for("other").get(f"/supervision/votes/{sel.pk}/").status_code == 404
    # The office enters the paper result and closes: valid, one chosen.
    n = standing_members(county).count()
    r = o.post(f"/supervision/votes/{sel.pk}/paper/", {"voters": n // 2, f"votes_{units[0].pk}": 1})
    assert r.status_code == 302
    r = o.post(f"/supervision/votes/{sel.pk}/paper/", {"voters": n + 5})
    assert r.status_code == 422 and "纸质投票人数" in r.content.decode()
    # Too many votes for the voters: the message names the limit and the form keeps what was typed.
    r = o.post(
        f"/supervision/votes/{sel.pk}/paper/",
        {"voters": 3, f"votes_{units[0].pk}": 3, f"votes_{units[1].pk}": 2},
    )
    html = r.content.decode()
    assert r.status_code == 422 and "纸质票合计5票，超过了3人每人最多选1个单位的上限（3票）" in html
    assert 'id="paper-voters" value="3"' in html and f'id="paper-{units[1].pk}" value="2"' in html
    sel.refresh_from_db()
    assert sel.paper_voters == n // 2
    assert o.post(f"/supervision/votes/{sel.pk}/close/").status_code == 302
    sel.refresh_from_db()
    assert sel.valid and sel.status == "closed"
    html = o.get(f"/supervision/votes/{sel.pk}/").content.decode()
    assert "当选" in html and 'data-chart-source="vote-chart"' in html and "组建监督小组" in html


def test_todo_awaiting_confirmation_and_dashboard(client_for, today):
    # The demo's 县住建局 group has a reply waiting: its leader member2 sees the to-do.
    html = client_for("member2").get("/").content.decode()
    assert "有整改待确认的民主监督" in html and "/supervision/?todo=confirm" in html
    html = client_for("leader").get("/dashboard/").content.decode()
    assert "民主监督" in html and "票决委派民主监督小组2个" in html


def test_menu(client_for):
    assert "/supervision/" in client_for("member1").get("/").content.decode()
    html = client_for("office").get("/").content.decode()
    assert "/supervision/votes/" in html
