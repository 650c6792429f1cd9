"""Four lists read well at 1024 px (issue 15): below 1200 px their secondary columns (界别, 状态, 地点) move under
the name (`d-xl-none`) and their own column hides (`d-none d-xl-table-cell`), so 履职预警's warnings, 换届提名's
建议 and 委员工作室's headers no longer break a word a line; dates and buttons keep to one line. On a phone
the same cells are cards (phone.js), the hidden column stays hidden and the name's line shows it."""

import re

import pytest
from django.urls import reverse

from zhengxie.performance.models import Assessment

pytestmark = pytest.mark.django_db

HIDDEN = 'class="d-none d-xl-table-cell"'


def _head(html: str, table_id: str) -> str:
    table = html[html.index(f'id="{table_id}"') :]
    return table[: table.index("</thead>")]


def test_warnings_move_the_sector_under_the_name(client_for):
    html = client_for("staff").get(reverse("performance:warnings")).content.decode()
    assert f"<th {HIDDEN}>界别</th>" in _head(html, "warning-list")
    assert '<th class="minw-14">预警</th>' in html
    rows = re.findall(
        r'<td class="text-nowrap warning-member">.*?</td><td class="d-none d-xl-table-cell">', html, re.S
    )
    assert rows and all('<div class="small text-muted text-wrap d-xl-none">' in r for r in rows)
    steps = re.findall(r'<td class="small">(<div>.*?)</td>', html, re.S)
    assert steps and all(re.match(r'<div><span class="text-nowrap">\d\d-\d\d ', s) for s in steps)


def test_renomination_moves_sector_and_status_under_the_name(client_for):
    html = client_for("staff").get(reverse("performance:renomination")).content.decode()
    head = _head(html, "renomination-list")
    assert (
        f"<th {HIDDEN}>界别</th>" in head
        and '<th class="text-nowrap d-none d-xl-table-cell">状态</th>' in head
    )
    names = re.findall(r"</a>(<div class=\"small text-muted text-wrap d-xl-none\">.*?)</td>", html)
    assert names and all('<div class="small text-muted d-xl-none">' in n for n in names)


def test_studios_keep_headers_on_one_line_and_the_place_under_the_name(client_for):
    html = client_for("office").get(reverse("studios:list")).content.decode()
    head = _head(html, "studio-table")
    assert f"<th {HIDDEN}>地点</th>" in head
    assert (
        '<th class="text-nowrap">入驻委员</th>' in head
        and '<th class="text-end text-nowrap">值班天数</th>' in head
    )
    assert (
        '<td class="small d-none d-xl-table-cell">' in html
        and '<div class="small text-muted d-xl-none">' in html
    )


def test_assessments_keep_dates_and_buttons_on_one_line(client_for):
    c = client_for("staff")
    html = c.get(reverse("performance:assessments")).content.decode()
    assert re.search(r'<span class="text-nowrap">\d{4}-\d\d-\d\d</span>', html)
    a = Assessment.objects.filter(organisation__code="demo-county").first() or Assessment.objects.first()
    html = c.get(reverse("performance:assessment", args=[a.pk])).content.decode()
    assert f"<th {HIDDEN}>界别</th>" in _head(html, "entries")
    assert 'type="submit">查找</button>' in html and "text-nowrap flex-shrink-0" in html
    assert '<div class="small text-muted text-wrap d-xl-none">' in html
