"""The pages: the list, the create form (weights wrong → the message, nothing typed lost), a round's page
with the organiser's forms and the steps, the phone's rating page (photo required → the message, the scores
typed kept; the place in hidden fields), the target page (staff see who, when and where; a member only
their own), the results (ranking, chart, 满意 / 重点监督), the .xlsx and the 汇编 built in the background;
members of another county get 404; list query counts stay constant."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.filepicker import assert_picker
from zhengxie.appraisal import services
from zhengxie.appraisal.models import Rating, Round

pytestmark = pytest.mark.django_db


def _no_inline(html):
    assert "style=" not in html
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in s for s in scripts), scripts


def test_create_form_keeps_what_was_typed(client_for):
    c = client_for("office")
    r = c.get("/appraisal/new/")
    assert r.status_code == 200 and "评分表" in r.content.decode()
    data = {
        "year": "2026",
        "title": "城区公厕民主评议",
        "kind": "places",
        "opens_at": "2026-05-01T09:00",
        "closes_at": "2099-05-20T18:00",
        "item_name_0": "卫生",
        "item_weight_0": "60",
        "item_name_1": "设施",
        "item_weight_1": "30",
        "item_guidance_1": "是否完好",
    }
    r = c.post("/appraisal/new/", data)
    html = r.content.decode()
    assert (
        r.status_code == 422
        and "权重之和须为100" in html
        and "城区公厕民主评议" in html
        and "是否完好" in html
    )
    data["item_weight_1"] = "40"
    r = c.post("/appraisal/new/", data)
    assert r.status_code == 302
    rnd = Round.objects.get(title="城区公厕民主评议")
    assert [i.weight for i in rnd.items.all()] == [60, 40]
    # Not an organiser: no form.
    for username in ("staff", "member1", "leader"):
        assert client_for(username).get("/appraisal/new/").status_code == 404


def test_round_page_targets_raters_and_steps(client_for, make_round, member_of_user):
    r = make_round(open=False, raters=())
    c = client_for("office")
    html = c.get(f"/appraisal/{r.pk}/").content.decode()
    assert 'id="targets-form"' in html and 'id="invite-form"' in html and 'id="btn-open"' in html
    # Members are offered as 姓名（界别）, so two of the same name can be told apart.
    m1 = member_of_user("member1")
    assert f'<option value="{m1.pk}">{m1.name}（{m1.sector.name}）</option>' in html
    _no_inline(html)
    r2 = c.post(f"/appraisal/{r.pk}/targets/", {"lines": "页面公园，西街3号\n页面广场"})
    assert r2.status_code == 302
    r2 = c.post(f"/appraisal/{r.pk}/targets/", {"lines": ""})
    assert r2.status_code == 422 and "请填写评议对象" in r2.content.decode()
    r2 = c.post(f"/appraisal/{r.pk}/raters/", {"members": [member_of_user("member1").pk]})
    assert r2.status_code == 302
    r2 = c.post(f"/appraisal/{r.pk}/open/")
    assert r2.status_code == 302
    r.refresh_from_db()
    assert r.status == "open" and r.target_count == 5 and r.rater_count == 1
    # Publishing an open round: refused with a message, nothing changed.
    c.post(f"/appraisal/{r.pk}/publish/")
    r.refresh_from_db()
    assert r.status == "open"
    html = c.get(f"/appraisal/{r.pk}/?q=页面").content.decode()
    assert "页面公园" in html and "测试公园甲" not in html


def test_member_rates_on_the_phone(client_for, make_round, photo):
    r = make_round(photo_required=True)
    t = r.targets.get(name="测试公园甲")
    c = client_for("member1")
    html = c.get(f"/appraisal/{r.pk}/").content.decode()
    assert f"/appraisal/{r.pk}/targets/{t.pk}/rate/" in html
    page = c.get(f"/appraisal/{r.pk}/targets/{t.pk}/rate/").content.decode()
    assert 'capture="environment"' in assert_picker(page, "photos", multiple=True, accept="image/*")
    assert '<label class="form-label" for="id_photos">' in page and 'data-geo="latitude"' in page
    assert "appraisal/rate.js" in page
    _no_inline(page)
    # The place's own page (its name is the list's link) leads to the rating too: no dead end.
    rate_url = f"/appraisal/{r.pk}/targets/{t.pk}/rate/"
    html = c.get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    assert 'id="btn-rate-target"' in html and f'href="{rate_url}"' in html and ">评议</a>" in html
    assert (
        'id="btn-rate-target"'
        not in client_for("member2").get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    )
    items = list(r.items.order_by("order"))
    data = {f"item_{i.pk}": v for i, v in zip(items, ("85", "90", "75"), strict=True)}
    data.update(
        {"note": "座椅破损两处", "latitude": "32.586123", "longitude": "105.228456", "accuracy": "12"}
    )
    resp = c.post(f"/appraisal/{r.pk}/targets/{t.pk}/rate/", data)
    html = resp.content.decode()
    assert (
        resp.status_code == 422
        and "须上传现场照片" in html
        and "座椅破损两处" in html
        and 'value="90"' in html
    )
    assert not Rating.objects.filter(target=t).exists()
    data["photos"] = [photo()]
    resp = c.post(f"/appraisal/{r.pk}/targets/{t.pk}/rate/", data)
    assert resp.status_code == 302
    rating = Rating.objects.get(target=t)
    assert rating.photo_count == 1 and str(rating.latitude) == "32.586123" and rating.note == "座椅破损两处"
    assert ">修改我的评议</a>" in c.get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    # A bad score: the message, nothing saved.
    data.update({f"item_{items[0].pk}": "120"})
    resp = c.post(f"/appraisal/{r.pk}/targets/{t.pk}/rate/", data)
    assert resp.status_code == 422 and "0至100" in resp.content.decode()
    # Not invited: 403 on the page; the round closed: 409.
    resp = client_for("member2").get(f"/appraisal/{r.pk}/targets/{t.pk}/rate/")
    assert resp.status_code == 404
    services.close_round(
        __import__("zhengxie.core.models", fromlist=["User"]).User.objects.get(username="office"), r
    )
    resp = c.post(f"/appraisal/{r.pk}/targets/{t.pk}/rate/", data)
    assert resp.status_code == 409 and "截止" in resp.content.decode()


def test_staff_see_who_where_members_only_their_own(client_for, make_round, user, scores_for, photo):
    r = make_round()
    t = r.targets.first()
    services.rate(
        user("member1"),
        r,
        t,
        scores=scores_for(r),
        note="甲的意见",
        latitude=32.1,
        longitude=105.1,
        photos=[photo()],
    )
    services.rate(
        user("member3"), r, t, scores=scores_for(r), note="丙的意见", latitude=32.2, longitude=105.2
    )
    html = client_for("leader").get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    assert "甲的意见" in html and "丙的意见" in html and "32.100000" in html
    m1 = client_for("member1").get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    assert "甲的意见" in m1 and "丙的意见" not in m1 and "32.100000" not in m1 and "32.200000" not in m1
    # The photo: staff and the rater; another member before publication: 404.
    att = Rating.objects.get(target=t, note="甲的意见").photo_rows.get().attachment_id
    assert client_for("leader").get(f"/files/{att}/").status_code == 200
    assert client_for("member1").get(f"/files/{att}/").status_code == 200
    assert client_for("member3").get(f"/files/{att}/").status_code == 404
    assert client_for("other").get(f"/files/{att}/").status_code == 404
    # Members see no results before publication.
    assert client_for("member1").get(f"/appraisal/{r.pk}/results/").status_code == 404


def test_results_xlsx_and_booklet(
    client_for, make_round, user, scores_for, photo, django_capture_on_commit_callbacks
):
    r = make_round()
    for i, t in enumerate(r.targets.order_by("order")):
        services.rate(
            user("member1"), r, t, scores=scores_for(r, (60 + i * 10,) * 3), note=f"意见{i}", photos=[photo()]
        )
    c = client_for("office")
    html = c.get(f"/appraisal/{r.pk}/results/").content.decode()
    assert 'data-chart-source="appraisal-chart"' in html and "测试广场丙" in html and "实时结果" in html
    _no_inline(html)
    services.close_round(user("office"), r)
    services.publish(user("office"), r)
    m = client_for("member3").get(f"/appraisal/{r.pk}/results/")
    assert m.status_code == 200 and "测试广场丙" in m.content.decode()
    from openpyxl import load_workbook

    x = c.get(f"/appraisal/{r.pk}/results.xlsx")
    values = [cell.value for row in load_workbook(io.BytesIO(x.content)).active.iter_rows() for cell in row]
    assert "测试广场丙" in values and "满意" in values
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(f"/appraisal/{r.pk}/booklet/")
    # Three targets are a small export: the file is the answer (core.exports.respond), kept as an export too.
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    from zhengxie.core.models import Export

    e = Export.objects.filter(kind="appraisal.booklet").latest("created_at")
    assert e.status == "done", e.error
    from docx import Document

    with e.file.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "评议汇编" in text and "意见2" in text and "32." not in text
    assert len(doc.inline_shapes) == 3
    # The same booklet as PDF, with the photos (one image object: reportlab stores the same photo once).
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/appraisal/{r.pk}/booklet/", {"format": "pdf"})
    e = Export.objects.filter(kind="appraisal.booklet").latest("created_at")
    assert e.status == "done" and e.filename.endswith(".pdf"), e.error
    with e.file.open("rb") as fh:
        pdf = fh.read()
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" in pdf and b"/Type /Page" in pdf
    # Members may not build it.
    assert client_for("member1").post(f"/appraisal/{r.pk}/booklet/").status_code == 404


def test_other_county_and_units_get_404(client_for, make_round):
    r = make_round()
    t = r.targets.first()
    for username in ("other", "handler1"):
        c = client_for(username)
        for url in (
            f"/appraisal/{r.pk}/",
            f"/appraisal/{r.pk}/results/",
            f"/appraisal/{r.pk}/targets/{t.pk}/rate/",
        ):
            assert c.get(url).status_code == 404, (username, url)
        assert c.post(f"/appraisal/{r.pk}/close/").status_code == 404
    r.refresh_from_db()
    assert r.status == "open"


def test_draft_is_hidden_from_members(client_for, make_round):
    r = make_round(open=False)
    assert client_for("member1").get(f"/appraisal/{r.pk}/").status_code == 404
    assert r.pk not in [x.pk for x in client_for("member1").get("/appraisal/").context["page_obj"]]


def test_list_and_detail_query_counts_are_constant(client_for, make_round, django_assert_max_num_queries):
    c = client_for("leader")
    make_round()
    c.get("/appraisal/")
    with CaptureQueriesContext(connection) as few:
        c.get("/appraisal/")
    for i in range(6):
        make_round(title=f"更多评议{i}", targets="\n".join(f"公园{i}-{j}" for j in range(12)))
    with django_assert_max_num_queries(len(few)):
        assert c.get("/appraisal/").status_code == 200
    r = make_round(targets="\n".join(f"大公园{j}" for j in range(5)))
    with CaptureQueriesContext(connection) as q1:
        c.get(f"/appraisal/{r.pk}/")
        c.get(f"/appraisal/{r.pk}/results/")
    from zhengxie.core.models import User

    services.add_targets(
        User.objects.get(username="office"), r, text="\n".join(f"又一公园{j}" for j in range(40))
    )
    with django_assert_max_num_queries(len(q1) // 2 + 2):
        c.get(f"/appraisal/{r.pk}/results/")
    with django_assert_max_num_queries(len(q1)):
        c.get(f"/appraisal/{r.pk}/")
        c.get(f"/appraisal/{r.pk}/results/")


def test_units_are_voted_with_the_four_grades(client_for, make_round):
    r = make_round(kind="units", raters=("member1",))
    t = r.targets.order_by("order").first()
    c = client_for("member1")
    page = c.get(f"/appraisal/{r.pk}/targets/{t.pk}/rate/").content.decode()
    assert "基本满意" in page and "不了解" in page and 'type="file"' not in page
    items = list(r.items.order_by("order"))
    resp = c.post(f"/appraisal/{r.pk}/targets/{t.pk}/rate/", {f"item_{items[0].pk}": "satisfied"})
    assert resp.status_code == 422 and f"请对“{items[1].name}”作出评价" in resp.content.decode()
    resp = c.post(
        f"/appraisal/{r.pk}/targets/{t.pk}/rate/",
        {f"item_{items[0].pk}": "satisfied", f"item_{items[1].pk}": "basically_satisfied"},
    )
    assert resp.status_code == 302
    t.refresh_from_db()
    assert t.satisfied == 1 and t.basically_satisfied == 1 and str(t.rate) == "100.0"
    html = client_for("leader").get(f"/appraisal/{r.pk}/results/").content.decode()
    assert "满意率" in html and "100.0%" in html


def test_published_target_page_for_another_member(client_for, make_round, user, scores_for, photo):
    r = make_round()
    t = r.targets.first()
    services.rate(
        user("member1"),
        r,
        t,
        scores=scores_for(r),
        note="公开的意见",
        latitude=32.3,
        longitude=105.3,
        photos=[photo()],
    )
    services.close_round(user("office"), r)
    services.publish(user("office"), r)
    html = client_for("member2").get(f"/appraisal/{r.pk}/targets/{t.pk}/").content.decode()
    assert "公开的意见" in html and "appraisal-thumb" in html and "32.300000" not in html
    member1_name = user("member1").name
    assert member1_name not in html
    att = Rating.objects.get(target=t).photo_rows.get().attachment_id
    assert client_for("member2").get(f"/files/{att}/").status_code == 200


def test_dashboard_section_and_workbench(client_for, make_round, user, scores_for):
    from zhengxie.appraisal.dashboard import appraisal_figures
    from zhengxie.core.dashboard import Period

    r = make_round()
    services.rate(user("member1"), r, r.targets.first(), scores=scores_for(r))
    section = appraisal_figures(user("leader"), Period(None, r.year))
    assert section is not None and section.note.startswith("开展民主评议") and "人次" in section.note
    assert appraisal_figures(user("member1"), Period(None, r.year)) is None
    html = client_for("member3").get("/").content.decode()
    assert "待完成的民主评议" in html


def test_edit_a_draft_and_an_open_round(client_for, make_round, api_for):
    import datetime

    from django.utils import timezone

    r = make_round(open=False)
    c = client_for("office")
    page = c.get(f"/appraisal/{r.pk}/edit/").content.decode()
    assert "设施维护" in page and 'id="items-locked"' not in page
    later = timezone.localtime() + datetime.timedelta(days=30)
    data = {
        "title": "改过名的评议",
        "description": "",
        "opens_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "closes_at": later.strftime("%Y-%m-%dT%H:%M"),
        "item_name_0": "卫生",
        "item_weight_0": "100",
    }
    resp = c.post(f"/appraisal/{r.pk}/edit/", {**data, "closes_at": "2000-01-01T00:00"})
    assert resp.status_code == 422 and "截止时间须晚于开始时间" in resp.content.decode()
    assert c.post(f"/appraisal/{r.pk}/edit/", data).status_code == 302
    r.refresh_from_db()
    assert r.title == "改过名的评议" and [i.name for i in r.items.all()] == ["卫生"]
    # Open: the window changes, the form does not (the API says 409 when asked to).
    from zhengxie.appraisal import services as svc
    from zhengxie.core.models import User

    svc.open_round(User.objects.get(username="office"), r)
    page = c.get(f"/appraisal/{r.pk}/edit/").content.decode()
    assert 'id="items-locked"' in page
    resp = c.post(f"/appraisal/{r.pk}/edit/", {**data, "title": "评议中改名"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.title == "评议中改名" and [i.name for i in r.items.all()] == ["卫生"]
    api = api_for("office")
    resp = api.patch(
        f"/api/v1/appraisals/{r.pk}",
        {"items": [{"name": "x", "weight": 100}]},
        content_type="application/json",
    )
    assert resp.status_code == 409
    resp = api.patch(f"/api/v1/appraisals/{r.pk}", {"title": "接口改名"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["title"] == "接口改名"
    assert (
        api_for("leader")
        .patch(f"/api/v1/appraisals/{r.pk}", {"title": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert client_for("member1").get(f"/appraisal/{r.pk}/edit/").status_code == 404
