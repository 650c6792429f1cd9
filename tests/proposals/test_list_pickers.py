"""Issues #13 / #15, large pickers: a province's 全部提案 listed ~3,800 handling units in its filter (281 KB).
A picker with more than core.pickers.SMALL choices is a text box that the page's script makes a searchable
box asking /pick/<name>/ for at most 30 matches the user may see; the chosen one's name shows after a
filter; without JavaScript a typed name filters too."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from zhengxie.core import pickers
from zhengxie.core.models import HandlingUnit
from zhengxie.members.models import Session

from .builders import build, county_staff, new_session

pytestmark = pytest.mark.django_db
LIST = reverse("proposals:list")
FOLLOWUPS = reverse("proposals:followup_ledger")
UNITS = reverse("core:picker", args=["units"])
SESSIONS = reverse("core:picker", args=["sessions"])


def _many_units(org, n, prefix="规模测试局"):
    HandlingUnit.objects.bulk_create(
        HandlingUnit(organisation=org, name=f"{prefix}{i:04d}", short_name=f"{prefix}{i:04d}", order=100 + i)
        for i in range(n)
    )


def _many_sessions(n):
    staff = county_staff()
    term = Session.objects.filter(organisation=staff.organisation, is_current=True).get().term
    Session.objects.bulk_create(
        Session(
            term=term,
            organisation=staff.organisation,
            number=100 + i,
            name=f"规模测试第{i}次会议",
            year=2040,
            start_date=datetime.date(2040, 1, 1),
            end_date=datetime.date(2040, 1, 3),
        )
        for i in range(n)
    )


def _options(html: str) -> int:
    return html.count("<option")


def test_a_city_list_with_thousands_of_units_is_small_and_shows_the_chosen_unit(client_for, user):
    city = user("citystaff").organisation
    _many_units(city, 3800)
    _many_sessions(700)
    target = HandlingUnit.objects.get(name="规模测试局1234")
    build(title="测试大选择器", number=7401, unit_name="县教育局")
    c = client_for("citystaff")
    html = c.get(LIST).content.decode()
    assert len(html.encode()) < 80_000, len(html.encode())
    assert _options(html) < 100  # status, category, light... not 3,800 units nor 700 sessions
    assert f'data-picker="{UNITS}"' in html and f'data-picker="{SESSIONS}"' in html
    assert "全部承办单位（输入名称查找）" in html
    # after a filter the box shows the chosen unit's name (and its id for the script)
    picked = c.get(LIST, {"unit": target.pk}).content.decode()
    box = re.search(r'<input name="unit"[^>]*>', picked).group(0)
    assert 'value="规模测试局1234"' in box and f'data-picker-value="{target.pk}"' in box
    assert "没有符合条件的提案" in picked
    # the small-unit county's own unit still filters by id
    edu = HandlingUnit.objects.get(organisation=county_staff().organisation, name="县教育局")
    assert "测试大选择器" in c.get(LIST, {"unit": edu.pk}).content.decode()
    # the follow-up ledger and the 督办台 use the same box
    assert len(c.get(FOLLOWUPS).content) < 80_000
    board = c.get(reverse("handling:board"), {"unit": target.pk}).content.decode()
    assert _options(board) < 100 and 'value="规模测试局1234"' in board


def test_without_javascript_a_typed_name_filters_or_says_what_is_wrong(client_for, user):
    _many_units(user("citystaff").organisation, 200)
    build(title="测试按名称筛选", number=7402, unit_name="县教育局")
    c = client_for("citystaff")
    html = c.get(LIST, {"unit": "县教育局"}).content.decode()
    assert "测试按名称筛选" in html
    edu = HandlingUnit.objects.get(organisation=county_staff().organisation, name="县教育局")
    box = re.search(r'<input name="unit"[^>]*>', html).group(0)
    assert f'data-picker-value="{edu.pk}"' in box and 'value="县教育局"' in box
    vague = c.get(LIST, {"unit": "规模测试局"}).content.decode()
    assert "名称含“规模测试局”的承办单位不止一个，请输入更完整的名称。" in vague
    assert 'value="规模测试局"' in vague  # what was typed is kept
    none = c.get(LIST, {"unit": "不存在的单位"}).content.decode()
    assert "没有找到名称含“不存在的单位”的承办单位。" in none


def test_a_county_lists_its_units_in_a_plain_select(client_for):
    html = client_for("staff").get(LIST).content.decode()
    edu = HandlingUnit.objects.get(organisation=county_staff().organisation, name="县教育局")
    assert f'<option value="{edu.pk}">县教育局</option>' in html
    assert 'name="unit" data-picker' not in html and '<input name="unit"' not in html


def test_the_endpoint_answers_at_most_30_matches_in_constant_queries(
    client_for, user, django_assert_max_num_queries
):
    city = user("citystaff").organisation
    c = client_for("citystaff")
    c.get(UNITS)  # the session's first read
    _many_units(city, 40)
    with django_assert_max_num_queries(3) as few:
        small = c.get(UNITS, {"q": "规模测试局"}).json()
    _many_units(city, 2000, prefix="规模测试局B")
    with django_assert_max_num_queries(len(few)):
        many = c.get(UNITS, {"q": "规模测试局"}).json()
    assert len(small["items"]) == 30 and small["more"] is True
    assert len(many["items"]) == pickers.LIMIT and many["more"] is True
    assert all("规模测试局" in o["text"] for o in many["items"])
    one = c.get(UNITS, {"q": "规模测试局0007"}).json()
    assert [o["text"] for o in one["items"]] == ["规模测试局0007"] and one["more"] is False
    session = new_session(name="第九届第九次会议")
    found = c.get(SESSIONS, {"q": "青川 第九次"}).json()["items"]
    assert {"value": str(session.pk), "text": f"{session.organisation.name} 第九届第九次会议"} in found


def test_a_county_cannot_list_or_pick_another_county_s_units(client_for, user):
    other = user("other").organisation
    assert other != county_staff().organisation
    foreign = HandlingUnit.objects.filter(organisation=other, is_active=True).first()
    c = client_for("staff")
    mine = c.get(UNITS).json()["items"]
    assert mine and all(
        HandlingUnit.objects.get(pk=o["value"]).organisation_id == county_staff().organisation_id
        for o in mine
    )
    assert c.get(UNITS, {"q": foreign.name}).json()["items"] == []
    assert c.get(UNITS, {"q": other.name[:2]}).json()["items"] == [] or all(
        o["value"] != str(foreign.pk) for o in c.get(UNITS, {"q": other.name[:2]}).json()["items"]
    )
    html = c.get(LIST, {"unit": foreign.pk}).content.decode()
    assert "所选承办单位无效或不在您的范围内。" in html
    assert foreign.name not in html
    # the city above sees it
    assert str(foreign.pk) in json.dumps(client_for("citystaff").get(UNITS, {"q": foreign.name}).json())


def test_the_endpoint_needs_a_login_and_a_known_picker(client, client_for):
    assert client.get(UNITS).status_code == 401
    assert client_for("staff").get(reverse("core:picker", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("url", [reverse("proposals:stats"), reverse("dashboard:index")])
def test_the_statistics_pages_session_picker_with_hundreds_of_sessions(client_for, url):
    """提案统计 and 领导驾驶舱 listed every session in scope as an <option> (~700 at the province)."""
    _many_sessions(300)
    chosen = Session.objects.get(name="规模测试第123次会议")
    c = client_for("citystaff")
    html = c.get(url).content.decode()
    assert _options(html) < 100 and f'data-picker="{SESSIONS}"' in html
    picked = c.get(url, {"session": chosen.pk}).content.decode()
    box = re.search(r'<input name="session"[^>]*>', picked).group(0)
    assert f'data-picker-value="{chosen.pk}"' in box and "规模测试第123次会议" in box
    typed = c.get(url, {"session": "规模测试第123次"}).content.decode()  # without JavaScript
    assert f'data-picker-value="{chosen.pk}"' in typed
