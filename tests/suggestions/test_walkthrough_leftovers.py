"""What a second #10 walkthrough found: an empty 微建议 form says every problem at once (not title, then
content, then consent on later tries) and keeps what was typed; a failed submission says the chosen photos
must be chosen again (a browser cannot keep them), naming them; the office's 状态分布 legend shows every
status (no 1/2 pager); the .xlsx names the studio or unit an item went to."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhengxie.suggestions import services
from zhengxie.suggestions.models import Suggestion
from zhengxie.suggestions.stats import status_option, year_report

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _photo(name="lamp.png", data=PNG):
    f = io.BytesIO(data)
    f.name = name
    return f


def _errors(html) -> dict:
    return dict(re.findall(r'<div class="error" id="(\w+)-error">(.*?)</div>', html))


def test_an_empty_form_says_every_problem_at_once():
    r = Client().post("/p/demo-county/", {"title": "", "content": "", "phone": "123"})
    assert r.status_code == 422
    errors = _errors(r.content.decode())
    assert errors == {
        "title": "请填写标题。",
        "content": "请填写建议内容。",
        "phone": "请填写11位手机号码（如 13800000000），或留空。",
        "consent": "请阅读并勾选同意个人信息处理说明后再提交。",
    }
    assert "这个字段是必填项" not in r.content.decode()


def test_each_problem_is_said_once_and_what_was_typed_stays():
    before = Suggestion.objects.count()
    r = Client().post(
        "/p/demo-county/", {"title": "路灯不亮", "content": "", "name": "王五", "phone": "13900001111"}
    )
    html = r.content.decode()
    assert _errors(html).keys() == {"content", "consent"}
    assert 'value="路灯不亮"' in html and 'value="王五"' in html and 'value="13900001111"' in html
    assert Suggestion.objects.count() == before


def test_a_bad_photo_is_said_with_the_other_problems():
    r = Client().post("/p/demo-county/", {"title": "", "content": "x", "photos": [_photo("x.png", b"<b>")]})
    errors = _errors(r.content.decode())
    assert errors.keys() == {"title", "photos", "consent"} and "文件类型不符" in errors["photos"]


def test_a_failed_submission_asks_to_choose_the_photos_again():
    r = Client().post(
        "/p/demo-county/",
        {
            "title": "路灯不亮",
            "content": "幸福路路灯不亮。",
            "photos": [_photo("路灯1.png"), _photo("路灯2.png")],
        },
    )
    assert r.status_code == 422  # no consent
    html = r.content.decode()
    note = re.search(r'id="photos-reselect"[^>]*>(.*?)</div>', html).group(1)
    assert "请重新选择照片" in note and "路灯1.png、路灯2.png" in note
    # Without a photo chosen there is nothing to choose again.
    r = Client().post("/p/demo-county/", {"title": "路灯不亮", "content": "幸福路路灯不亮。"})
    assert 'id="photos-reselect"' not in r.content.decode()


def test_a_refused_photo_is_named_too_and_the_name_is_shown_as_text():
    r = Client().post(
        "/p/demo-county/",
        {"title": "t", "content": "c", "consent": "on", "photos": [_photo("<i>x.png", b"<b>")]},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "&lt;i&gt;x.png" in html and "<i>x.png" not in html
    assert 'id="photos-reselect"' in html


def test_a_good_photo_still_arrives_after_the_forms_check(county):
    r = Client().post(
        "/p/demo-county/", {"title": "路灯不亮", "content": "幸福路。", "consent": "on", "photos": [_photo()]}
    )
    assert r.status_code == 200
    code = re.search(r'id="tracking-code"[^>]*>([A-Z0-9]+)<', r.content.decode()).group(1)
    assert Suggestion.objects.get(tracking_code=code).photos.count() == 1


def test_the_status_pie_shows_every_status_without_a_pager(user):
    option = status_option(year_report(user("office").organisation))
    assert option["legend"].get("type") != "scroll"  # a scroll legend pages its items (1/2)
    assert len(option["series"][0]["data"]) >= 5  # the demo year has items in most statuses


def test_the_export_names_the_studio_or_unit(submitted, user, client_for, county, education):
    from zhengxie.studios.models import Studio

    studio = Studio.objects.filter(organisation=county, active=True).order_by("pk").first()
    to_studio = services.route(user=user("office"), suggestion=submitted(), studio=studio)
    to_unit = services.route(user=user("office"), suggestion=submitted(), unit=education)
    r = client_for("office").post("/suggestions/stats/export/", {})
    sheet = load_workbook(io.BytesIO(r.content))["微建议列表"]
    header = [c.value for c in sheet[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    column = header.index("交办对象")
    assert rows[to_studio.pk][column] == f"委员工作室：{studio.name}"
    assert rows[to_unit.pk][column] == f"承办单位：{education.name}"
