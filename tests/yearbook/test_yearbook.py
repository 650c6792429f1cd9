"""年度工作数据: a committee's year from every module, equal to a recount, kept fresh, scoped to the
committee and the ones below it, side by side for a city, exported, and served by the API."""

import datetime
import io

import pytest
from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.yearbook import services
from zhengxie.yearbook.models import Snapshot

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def county():
    return Organisation.objects.get(code="demo-county")


def _figures(client, org=None, year=YEAR):
    url = f"/api/v1/yearbook?year={year}" + (f"&organisation={org.pk}" if org else "")
    r = client.get(url)
    assert r.status_code == 200, r.content
    return r.json(), {f"{p['key']}.{f['key']}": f["value"] for p in r.json()["parts"] for f in p["figures"]}


def test_figures_equal_a_recount_from_the_modules_tables(api_for):
    from zhengxie.activities.models import Meeting
    from zhengxie.consultation.models import Consultation
    from zhengxie.opinions.models import Opinion
    from zhengxie.proposals.documents import ACCEPTED_STATES
    from zhengxie.proposals.models import Proposal
    from zhengxie.proposals.workflow import NOT_SUBMITTED

    c = county()
    ids = services.own_ids(c)
    data, f = _figures(api_for("office"))
    assert data["organisation"] == c.name
    proposals = Proposal.objects.filter(session__organisation=c, session__year=YEAR)
    assert f["proposals.submitted"] == proposals.exclude(status__in=NOT_SUBMITTED).count() > 0
    assert f["proposals.accepted"] == proposals.filter(status__in=ACCEPTED_STATES).count()
    received = Opinion.objects.filter(organisation=c, year=YEAR).exclude(status=Opinion.Status.DRAFT).count()
    assert f["opinions.received"] == received
    held = Meeting.objects.filter(organisation_id__in=ids, status="closed", starts_at__year=YEAR).count()
    assert f["activities.held"] == held
    done = Consultation.objects.filter(
        organisation_id__in=ids, year=YEAR, status__in=("held", "outcome_sent", "closed")
    ).count()
    assert f.get("consultation.held", 0) == done
    # Every part writes its sentence of the work report.
    assert any("提案" in s for s in data["sentences"])


def test_a_late_change_shows_after_the_freshness_runs_out_or_a_recount(api_for, user, client_for):
    from zhengxie.opinions.models import Opinion

    c = county()
    _, before = _figures(api_for("office"))
    item = Opinion.objects.filter(organisation=c, year=YEAR).exclude(status=Opinion.Status.DRAFT).first()
    Opinion.objects.filter(pk=item.pk).update(year=YEAR - 1)
    # Fresh: the stored figures are served (the page says when they were counted).
    _, same = _figures(api_for("office"))
    assert same["opinions.received"] == before["opinions.received"]
    # 立即刷新 by the office counts again at once.
    r = client_for("office").post("/yearbook/recount/", {"org": c.pk, "year": YEAR})
    assert r.status_code == 302
    _, after = _figures(api_for("office"))
    assert after["opinions.received"] == before["opinions.received"] - 1
    # Past the freshness (yearbook.max_age_minutes) the next read counts again by itself.
    Opinion.objects.filter(pk=item.pk).update(year=YEAR)
    Snapshot.objects.filter(organisation=c, year=YEAR).update(
        computed_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    _, again = _figures(api_for("office"))
    assert again["opinions.received"] == before["opinions.received"]


def test_last_year_and_change_are_beside_each_figure(api_for):
    data, f = _figures(api_for("office"))
    row = next(
        x for p in data["parts"] if p["key"] == "proposals" for x in p["figures"] if x["key"] == "submitted"
    )
    assert row["last"] is not None
    assert row["change"] == row["value"] - row["last"]


def test_an_empty_year_shows_zeros_with_their_definitions(client_for, api_for):
    r = client_for("office").get("/yearbook/?year=2001")
    assert r.status_code == 200
    assert "按期办复数 ÷ 立案数" in r.content.decode()
    data, f = _figures(api_for("office"), year=2001)
    counts = {k: v for k, v in f.items() if k != "studios.studios"}  # studios open now count in any year
    assert set(counts.values()) <= {0, None}
    assert f["proposals.accepted"] == 0 and f["proposals.reply_rate"] is None


def test_bad_year_is_refused_in_chinese(api_for):
    r = api_for("office").get("/api/v1/yearbook?year=1900")
    assert r.status_code == 422
    assert "年度" in r.json()["detail"]


def test_county_users_never_see_a_sibling_and_members_see_nothing(api_for, client_for):
    sibling = Organisation.objects.get(code="demo-county-2")
    city = Organisation.objects.get(code="demo-city")
    assert api_for("office").get(f"/api/v1/yearbook?organisation={sibling.pk}").status_code == 404
    assert api_for("office").get(f"/api/v1/yearbook?organisation={city.pk}").status_code == 404
    assert api_for("other").get(f"/api/v1/yearbook?organisation={county().pk}").status_code == 404
    assert api_for("member1").get("/api/v1/yearbook").status_code == 404
    assert client_for("office").get(f"/yearbook/?org={sibling.pk}").status_code == 404
    assert client_for("member1").get("/yearbook/").status_code == 404
    # A county staff member cannot recount another committee.
    r = client_for("office").post("/yearbook/recount/", {"org": sibling.pk, "year": YEAR})
    assert r.status_code == 404


def test_city_sees_its_counties_side_by_side_and_drills_down_read_only(client_for, api_for):
    city = Organisation.objects.get(code="demo-city")
    r = api_for("citystaff").get(f"/api/v1/yearbook/levels?year={YEAR}&figure=proposals.submitted")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["organisation_id"] == city.pk
    names = [row["organisation"] for row in data["rows"]]
    assert names == ["青川县政协", "石门区政协", "临江县政协"]  # the demo's counties, by code
    i = [c["key"] for c in data["columns"]].index("proposals.submitted")
    assert data["totals"][i] == sum(row["values"][i] or 0 for row in data["rows"])
    assert data["figure"] == "proposals.submitted"
    # The drill-down: the county's page, read-only (no recount, no links into the county's modules).
    page = client_for("citystaff").get(f"/yearbook/?org={county().pk}&year={YEAR}").content.decode()
    assert "只读：下级政协" in page and "yearbook-recount" not in page
    assert (
        client_for("citystaff").post("/yearbook/recount/", {"org": county().pk, "year": YEAR}).status_code
        == 302
    )
    levels = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}").content.decode()
    assert county().name in levels and "合计" in levels


def test_city_recount_of_a_county_is_refused(client_for):
    before = Snapshot.objects.filter(organisation=county(), year=YEAR).count()
    r = client_for("citystaff").post("/yearbook/recount/", {"org": county().pk, "year": YEAR}, follow=True)
    assert "只有本级政协" in r.content.decode()
    assert Snapshot.objects.filter(organisation=county(), year=YEAR).count() <= max(before, 1)


def test_exports_hold_every_figure(client_for, api_for):
    import openpyxl
    from docx import Document

    data, f = _figures(api_for("office"))
    r = client_for("office").get(f"/yearbook/export.xlsx?year={YEAR}")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("板块", "指标", f"{YEAR}年")
    labels = {(row[0], row[1]): row[2] for row in rows[1:] if row and row[1]}
    assert labels[("提案工作", "立案")] == f["proposals.accepted"]
    r = client_for("office").get(f"/yearbook/export.docx?year={YEAR}")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "年度工作数据" in text and data["sentences"][0] in text


def test_levels_page_queries_do_not_grow_with_committees(client_for, django_assert_max_num_queries):
    c = client_for("citystaff")
    c.get(f"/yearbook/levels/?year={YEAR}")  # counts the snapshots once
    with django_assert_max_num_queries(12):
        assert c.get(f"/yearbook/levels/?year={YEAR}").status_code == 200


def test_year_page_reads_stored_figures_in_few_queries(client_for, django_assert_max_num_queries):
    c = client_for("office")
    c.get(f"/yearbook/?year={YEAR}")
    with django_assert_max_num_queries(14):
        r = c.get(f"/yearbook/?year={YEAR}")
    assert r.status_code == 200
    assert "工作报告主要数据" in r.content.decode()


def test_the_hourly_job_counts_every_committee(db):
    result = services.refresh_all(YEAR)
    assert result["committees"] == Organisation.objects.filter(kind__in=services.COMMITTEE_KINDS).count()
    assert Snapshot.objects.filter(year=YEAR).count() == result["committees"]


def test_supervision_and_research_count_in_the_year(api_for):
    from zhengxie.research.models import ResearchTopic
    from zhengxie.supervision.models import Item, Supervision

    c = county()
    data, f = _figures(api_for("office"))
    assert f["supervision.groups"] == Supervision.objects.filter(organisation=c, year=YEAR).count() > 0
    items = Item.objects.filter(supervision__organisation=c, supervision__year=YEAR)
    assert f["supervision.rectifications"] == items.filter(list="rectification").count() > 0
    assert (
        f["research.research"]
        == ResearchTopic.objects.filter(organisation=c, year=YEAR, kind="research").count()
    )
    assert any(s.startswith("票决委派民主监督小组") for s in data["sentences"])
    assert any("调研课题" in s for s in data["sentences"])


def test_appraisal_counts_in_the_year(api_for):
    from zhengxie.appraisal.models import Round

    data, f = _figures(api_for("office"))
    held = Round.objects.filter(organisation=county(), year=YEAR).exclude(status="draft").count()
    assert f["appraisal.rounds"] == held > 0
    assert any(s.startswith("开展民主评议") for s in data["sentences"])


def test_the_city_table_shows_stored_figures_with_their_time_and_counts_only_missing_ones(client_for):
    """A table of many committees never recounts them all on a visit: a stale county shows its stored
    figures with their time (the hourly job refreshes them); a county never counted is counted."""
    c = client_for("citystaff")
    c.get(f"/yearbook/levels/?year={YEAR}")
    old = timezone.now() - datetime.timedelta(hours=3)
    Snapshot.objects.filter(organisation=county(), year=YEAR).update(computed_at=old)
    page = c.get(f"/yearbook/levels/?year={YEAR}").content.decode()
    snap = Snapshot.objects.get(organisation=county(), year=YEAR)
    assert snap.computed_at == old
    assert timezone.localtime(old).strftime("%m-%d %H:%M") in page
    Snapshot.objects.filter(organisation=county(), year=YEAR).delete()
    c.get(f"/yearbook/levels/?year={YEAR}")
    assert Snapshot.objects.filter(organisation=county(), year=YEAR).exists()


def test_the_levels_table_shows_each_committees_figures_and_the_totals_as_the_api_counts_them(
    client_for, api_for
):
    """The table's cells are written in Python (tables._cells): the same numbers, — for a missing one."""
    import re

    data = api_for("citystaff").get(f"/api/v1/yearbook/levels?year={YEAR}").json()
    page = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}").content.decode()
    body = page.split('id="levels-table"')[1].split("</thead>")[1]
    shown = [re.findall(r'<td class="text-end">([^<]*)</td>', tr) for tr in body.split("<tr")[1:]]

    def as_text(values):
        return ["—" if v is None else str(v) for v in values]

    assert shown == [as_text(row["values"]) for row in data["rows"]] + [as_text(data["totals"])]
    assert any(v != "—" for v in shown[0]) and len(shown[0]) == len(data["columns"])


# --- the city's table of counties: sorted by any figure, outliers marked in the table (issue #13) --------


def _synthetic(city, rates_and_late):
    """Stored figures for every county below the city (the demo's, then as many more as the pairs need),
    fresh: the table reads them as they are. Returns the counties in code order."""
    have = services.committees_below(city)
    made = sum(c.code.startswith("zz-sort-") for c in have)
    for i in range(made, made + len(rates_and_late) - len(have)):
        city.add_child(
            name=f"排序测试{i:02d}县政协", short_name=f"排序{i:02d}", kind="county", code=f"zz-sort-{i:02d}"
        )
        city = Organisation.objects.get(pk=city.pk)  # add_child counts the city's children
    below = services.committees_below(Organisation.objects.get(pk=city.pk))
    assert len(below) == len(rates_and_late)
    for c, (rate, late) in zip(below, rates_and_late, strict=True):
        figures = [
            {
                "key": "rate",
                "label": "办复率",
                "value": rate,
                "unit": "%",
                "definition": "已办复/立案",
                "url": "",
                "better": "higher",
            },
            {
                "key": "late",
                "label": "逾期",
                "value": late,
                "unit": "件",
                "definition": "逾期未办复的件数",
                "url": "",
                "better": "lower",
            },
        ]
        Snapshot.objects.update_or_create(
            organisation=c,
            year=YEAR,
            defaults={
                "parts": [
                    {
                        "key": "t",
                        "title": "提案工作",
                        "figures": figures,
                        "sentence": "",
                        "months": {},
                        "url": "",
                    }
                ],
                "computed_at": timezone.now(),
            },
        )
    return below


def _order(html):
    import re

    body = html.split('id="levels-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<td><a href="[^"]*">([^<]+)</a>', body)


def test_the_city_sorts_its_counties_by_a_clicked_figure_best_first_and_back(client_for):
    city = Organisation.objects.get(code="demo-city")
    below = _synthetic(city, [(80.0, 3), (95.5, 0), (None, None), (60.0, 9), (88.0, 1)])
    names = [c.name for c in below]
    c = client_for("citystaff")
    assert _order(c.get(f"/yearbook/levels/?year={YEAR}").content.decode()) == names  # by code, as before
    html = c.get(f"/yearbook/levels/?year={YEAR}&sort=t.rate").content.decode()
    # 办复率: the highest first; a county with nothing to divide by (—) last
    assert _order(html) == [names[1], names[4], names[0], names[3], names[2]]
    head = html.split('id="levels-table"')[1].split("</thead>")[0]
    assert 'aria-sort="descending"' in head and "sort=t.rate&amp;dir=asc" in head
    # clicked again: the lowest first, — still last
    html = c.get(f"/yearbook/levels/?year={YEAR}&sort=t.rate&dir=asc").content.decode()
    assert _order(html) == [names[3], names[0], names[4], names[1], names[2]]
    # 逾期 is better low: fewest first
    html = c.get(f"/yearbook/levels/?year={YEAR}&sort=t.late").content.decode()
    assert _order(html) == [names[1], names[4], names[0], names[3], names[2]]
    # an unknown figure keeps the code order, and the 大屏 link keeps the sort
    assert _order(c.get(f"/yearbook/levels/?year={YEAR}&sort=nope&dir=x").content.decode()) == names
    assert "sort=t.late" in html.split("大屏")[0].rsplit("<a", 1)[1]


def test_the_worst_county_on_the_ranked_figure_is_marked_in_the_table(client_for):
    city = Organisation.objects.get(code="demo-city")
    below = _synthetic(city, [(80.0, 3), (95.5, 0), (82.0, 2), (30.0, 9), (88.0, 1)])
    html = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}&figure=t.rate").content.decode()
    body = html.split('id="levels-table"')[1].split("<tbody>")[1]
    rows = {n: r for r in body.split("<tr")[1:] for n in [c.name for c in below] if f">{n}</a>" in r}
    assert "需关注" in rows[below[3].name] and "table-danger" in rows[below[3].name]
    assert all("需关注" not in rows[c.name] for c in below if c != below[3])


def test_the_sorted_city_table_reads_in_constant_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city = Organisation.objects.get(code="demo-city")
    c = client_for("citystaff")
    url = f"/yearbook/levels/?year={YEAR}&sort=t.rate&figure=t.late"
    counts = []
    for n in (3, 23):
        _synthetic(city, [(float(i), i) for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            html = c.get(url).content.decode()
        assert len(_order(html)) == n
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[0] <= 12, counts


def test_levels_table_names_each_part_once_above_its_figures(client_for):
    """The city's table of counties: a part (提案工作, 社情民意 …) heads its run of columns once, instead of
    repeating itself above every figure; the columns still sort and carry the part in their hint."""
    import re

    html = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}").content.decode()
    head = html[html.index('id="levels-table"') : html.index("</thead>")]
    groups = re.findall(r'<th colspan="(\d+)" class="text-center border-start">([^<]+)</th>', head)
    titles = [t for _, t in groups]
    assert "提案工作" in titles and "社情民意" in titles and len(titles) == len(set(titles))
    figures = re.findall(r'<th class="text-end" title="([^"：]+)：', head)
    assert sum(int(n) for n, _ in groups) == len(figures)  # every figure column sits under its part
    assert head.count("提案工作") == 1 + figures.count("提案工作")  # the group once, then only in hints


# --- 大屏: the year and the committees below on a meeting room's wall screen (issue #13) -------------------


def _json_script(html, element_id):
    import json
    import re

    m = re.search(rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no json_script {element_id}"
    return json.loads(m.group(1))


def _tile(html, key):
    """The big number on the tile of one figure ("proposals.submitted"), and the tile's whole text."""
    import re

    m = re.search(
        rf'<div class="wall-tile[^"]*" data-tile="{re.escape(key)}">(.*?)<!-- /tile -->', html, re.S
    )
    assert m, f"no tile {key}"
    value = re.search(r"<span data-value>([^<]*)</span>", m.group(1)).group(1)
    return value, re.sub(r"<[^>]+>", "", m.group(1))


def _wall_shell(html):
    """The 大屏 is a page of its own: no site menu or footer, dark, and it reloads itself every 5 minutes."""
    assert 'class="navbar' not in html and "<footer" not in html and "member-tabbar" not in html
    assert 'data-bs-theme="dark"' in html
    assert '<meta http-equiv="refresh" content="300">' in html
    assert "每5分钟自动刷新" in html
    assert "<script>" not in html  # CSP: no inline script, the clock is static/js/wall.js
    assert "js/wall.js" in html and "vendor/echarts/echarts.min.js" in html


def test_the_wall_shows_the_years_headline_figures_big_without_the_sites_menu(client_for):
    c = county()
    r = client_for("leader").get(f"/yearbook/?year={YEAR}&wall=1")
    assert r.status_code == 200
    html = r.content.decode()
    _wall_shell(html)
    assert f"{c.name}" in html and f"{YEAR}年度工作数据" in html
    snap = Snapshot.objects.get(organisation=c, year=YEAR)
    assert "统计时间 " + timezone.localtime(snap.computed_at).strftime("%Y-%m-%d %H:%M") in html
    # the headline figures of every module, as stored (not recounted), with last year's arrow
    now = services.figure_map(snap.parts)
    last = services.figure_map(Snapshot.objects.get(organisation=c, year=YEAR - 1).parts)
    for key in (
        "proposals.submitted",
        "proposals.accepted",
        "proposals.reply_rate",
        "proposals.satisfaction",
        "opinions.received",
        "opinions.accepted",
        "opinions.instructions",
        "consultation.held",
        "consultation.outcomes",
        "activities.attendance_rate",
        "activities.trained_share",
        "suggestions.received",
        "suggestions.satisfaction",
        "studios.duty_days",
        "keytasks.done",
    ):
        value, text = _tile(html, key)
        assert value == ("—" if now[key]["value"] is None else str(now[key]["value"])), key
        assert now[key]["label"] in text
        before = last[key]["value"]
        if now[key]["value"] is not None and before is not None:
            change = now[key]["value"] - before
            assert ("↑" in text) == (change > 0) and ("↓" in text) == (change < 0), (key, text)
            assert ("持平" in text) == (change == 0), (key, text)
    assert html.count('data-tile="') <= 20  # the headline ones, not all ~90 figures
    # the monthly charts, drawn dark
    for part in (p for p in snap.parts if p["months"]):
        option = _json_script(html, f"yearbook-months-{part['key']}")
        assert [s["data"] for s in option["series"]] == list(part["months"].values())
        assert f'data-chart-source="yearbook-months-{part["key"]}" data-chart-theme="dark"' in html
    # and a way back to the normal page (the same committee and year)
    assert f'href="/yearbook/?org={c.pk}&amp;year={YEAR}" id="wall-exit"' in html and "退出大屏" in html


def test_a_city_user_puts_a_countys_year_on_the_wall_read_only_and_a_sibling_cannot(client_for):
    sibling = Organisation.objects.get(code="demo-county-2")
    assert client_for("office").get(f"/yearbook/?org={sibling.pk}&wall=1").status_code == 404
    assert client_for("office").get(f"/yearbook/levels/?org={sibling.pk}&wall=1").status_code == 404
    assert client_for("member1").get("/yearbook/?wall=1").status_code == 404
    # a county has no committee below it: its levels wall says so, it does not fail
    assert "没有下级政协" in client_for("office").get("/yearbook/levels/?wall=1").content.decode()
    html = client_for("citystaff").get(f"/yearbook/?org={county().pk}&wall=1").content.decode()
    assert county().name in html and 'data-tile="proposals.submitted"' in html
    assert 'href="/proposals' not in html  # read-only: no links into the county's modules


def test_the_wall_reads_the_stored_year_in_as_few_queries_as_the_page(
    client_for, django_assert_max_num_queries
):
    c = client_for("leader")
    c.get(f"/yearbook/?year={YEAR}&wall=1")
    with django_assert_max_num_queries(14):
        assert c.get(f"/yearbook/?year={YEAR}&wall=1").status_code == 200


def _ranking_chart(html):
    import re

    m = re.search(r'data-chart-source="(levels-ranking-chart[^"]*)"', html)
    assert m, "no ranking chart"
    return _json_script(html, m.group(1))


def test_the_levels_wall_ranks_the_committees_in_a_bar_chart_with_the_outliers_red(client_for):
    city = Organisation.objects.get(code="demo-city")
    below = _synthetic(city, [(80.0, 3), (95.5, 0), (82.0, 2), (30.0, 9), (88.0, 1)])
    names = [c.name for c in below]
    r = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}&figure=t.rate&sort=t.late&wall=1")
    assert r.status_code == 200
    html = r.content.decode()
    _wall_shell(html)
    assert city.name in html and "办复率" in html
    option = _ranking_chart(html)
    # best first, from the top: 95.5, 88, 82, 80, 30 — the worst (30 %) in red, the others not
    assert option["yAxis"]["data"] == [names[1], names[4], names[2], names[0], names[3]]
    data = option["series"][0]["data"]
    assert [d["value"] for d in data] == [95.5, 88.0, 82.0, 80.0, 30.0]
    red = [option["yAxis"]["data"][i] for i, d in enumerate(data) if "itemStyle" in d]
    assert red == [names[3]]
    # the table's key columns, sorted as asked (逾期: fewest first), the outlier's row marked
    body = html.split('id="wall-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = body.split("<tr")[1:]
    order = [n for row in rows for n in names if f">{n}<" in row]
    assert order == [names[1], names[4], names[2], names[0], names[3]]
    assert "需关注" in rows[-1] and "wall-outlier" in rows[-1]
    assert all("需关注" not in row for row in rows[:-1])
    # totals as tiles, the chosen figure's median among them; the exit keeps the figure and the sort
    assert "data-tile=" in html
    exit_link = html.split('id="wall-exit"')[0].rsplit("<a", 1)[1]
    assert "figure=t.rate" in exit_link and "sort=t.late" in exit_link and "wall=1" not in exit_link


def test_the_levels_wall_reads_in_constant_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city = Organisation.objects.get(code="demo-city")
    c = client_for("citystaff")
    url = f"/yearbook/levels/?year={YEAR}&figure=t.rate&wall=1"
    counts = []
    base = len(services.committees_below(city))  # the demo's counties
    for n in (base, base + 3, base + 21):
        _synthetic(city, [(float(i), i) for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            html = c.get(url).content.decode()
        assert len(_ranking_chart(html)["yAxis"]["data"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2] <= 12, counts


def test_the_levels_page_draws_the_ranking_beside_the_list(client_for):
    city = Organisation.objects.get(code="demo-city")
    below = _synthetic(city, [(80.0, 3), (95.5, 0), (82.0, 2), (30.0, 9), (88.0, 1)])
    html = client_for("citystaff").get(f"/yearbook/levels/?year={YEAR}&figure=t.late").content.decode()
    assert 'class="navbar' in html and "vendor/echarts/echarts.min.js" in html
    option = _ranking_chart(html)
    # 逾期: fewer is better, the fewest on top; the most (9) is the one to watch
    assert option["yAxis"]["data"] == [below[i].name for i in (1, 4, 2, 0, 3)]
    assert [d["value"] for d in option["series"][0]["data"]] == [0, 1, 2, 3, 9]
    assert "itemStyle" in option["series"][0]["data"][-1]
    assert 'id="levels-ranking"' in html  # the list stays
