"""Yearly 社情民意 figures checked against a scripted year (services only), constant query counts, the
statistics page and its .xlsx export, and the dashboard section."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.dashboard import Period
from zhengxie.core.errors import NotFound
from zhengxie.core.models import Export
from zhengxie.opinions import services, stats
from zhengxie.opinions.dashboard import opinion_figures
from zhengxie.opinions.models import Adoption

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
FIELDS = {"received", "accepted", "filed", "merged", "issues", "adopted", "instructions"}


def minus(after, before):
    """after - before, key by key (the test database holds the demo's year of items too)."""
    if isinstance(after, dict):
        return {k: minus(v, before.get(k, 0) if isinstance(before, dict) else 0) for k, v in after.items()}
    return after - before if isinstance(after, int) else after


def people(report) -> dict:
    return {a["member_id"]: a for a in report["by_author"]}


def person_delta(after, before, member) -> dict:
    empty = {"submitted": 0, "lead": 0, "accepted": 0, "instructions": 0, "adopted": {}}
    a, b = after.get(member.pk, empty), before.get(member.pk, empty)
    keys = ("submitted", "lead", "accepted", "instructions")
    out = {k: a[k] - b[k] for k in keys}
    out["adopted"] = minus(a["adopted"], b["adopted"])
    return out


def scripted_year(opinion_in, user):
    """One county year:
    A (member1) accepted, in a published 专报, forwarded to the city whose copy is accepted and adopted
      there at city level; the county records a county adoption twice and a 批示; the city a 批示 too;
      a national adoption dated last year;
    B (member2) accepted, in an unpublished 摘报; a county adoption revoked, a province adoption live;
    C (member3, 教育科技) filed; D (member2) merged into A; E (member1 + member3) submitted;
    F (member1) a draft; G (member3) returned."""
    info, city = user("info"), user("citystaff")
    today = timezone.localdate()
    a = opinion_in("accepted", author="member1")
    b = opinion_in("accepted", author="member2", title="农村客运班线停运问题")
    c = opinion_in("submitted", author="member3", title="校舍维修资金不足", category="教育科技")
    services.opinion_review(user=info, opinion=c, decision="file", reason="已有同类信息。")
    d = opinion_in("submitted", author="member2", title="乡镇卫生院缺医生")
    services.opinion_review(user=info, opinion=d, decision="merge", merge_into=a.pk)
    e = opinion_in("submitted", author="member1", co_authors=["member3"], title="背街小巷路灯不亮")
    opinion_in("draft", author="member1", title="草稿不计")
    g = opinion_in("submitted", author="member3", title="菜市场占道经营")
    services.opinion_review(user=info, opinion=g, decision="return", reason="请补充数据。")

    special = services.issue_create(user=info, kind="special", opinion_ids=[a.pk], signer="陈志远")
    services.issue_publish(user=info, issue=special)
    services.issue_create(user=info, kind="digest", opinion_ids=[b.pk])  # not published: not counted

    copy = services.opinion_forward(user=info, opinion=a, organisation=a.organisation.get_parent().pk)
    services.opinion_review(user=city, opinion=copy, decision="accept")
    services.adoption_add(user=city, opinion=copy, level="city", body="市委办公室", adopted_on=today)
    services.instruction_add(user=city, opinion=copy, leader="市长 周强", level="city", content="请研究。")
    services.adoption_add(user=info, opinion=a, level="county", body="县委办公室", adopted_on=today)
    services.adoption_add(user=info, opinion=a, level="county", body="县政府办公室", adopted_on=today)
    services.adoption_add(
        user=info,
        opinion=a,
        level="national",
        body="全国政协办公厅",
        adopted_on=datetime.date(YEAR - 1, 6, 1),
    )
    services.instruction_add(user=info, opinion=a, leader="县委书记 李明", level="county", content="请落实。")

    wrong = services.adoption_add(user=info, opinion=b, level="county", body="县委办公室", adopted_on=today)
    services.adoption_revoke(user=info, adoption=wrong, reason="登记错误")
    services.adoption_add(user=info, opinion=b, level="province", body="省政协办公厅", adopted_on=today)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "g": g, "copy": copy}


def test_figures_of_the_scripted_year(opinion_in, user):
    info, county = user("info"), user("info").organisation
    before = stats.year_figures(info, YEAR)
    before_last = stats.year_figures(info, YEAR - 1)
    before_city = stats.year_figures(user("citystaff"), YEAR)
    scripted_year(opinion_in, user)
    f = stats.year_figures(info, YEAR)
    assert set(f) == FIELDS and set(f["adopted"]) == {"county", "city", "province", "national"}
    assert minus(f, before) == {
        "received": 6,  # A B C D E G (not the draft)
        "accepted": 2,
        "filed": 1,
        "merged": 1,
        "issues": 1,
        # county recorded twice counts once; the city's adoption on its copy counts for the county's item;
        # the revoked county adoption of B does not count; last year's national one is last year's.
        "adopted": {"county": 1, "city": 1, "province": 1, "national": 0},
        "instructions": 2,  # the county's and the city's on A's chain
    }
    assert minus(stats.year_figures(info, YEAR - 1), before_last)["adopted"] == {
        "county": 0,
        "city": 0,
        "province": 0,
        "national": 1,
    }
    # A leader of the county sees the same; the city sees its own year, and the county's on request.
    assert stats.year_figures(user("leader"), YEAR) == f
    city = minus(stats.year_figures(user("citystaff"), YEAR), before_city)
    assert (city["received"], city["accepted"], city["issues"]) == (1, 1, 0)
    assert city["adopted"] == {"county": 1, "city": 1, "province": 0, "national": 0}
    assert city["instructions"] == 2
    assert stats.year_figures(user("citystaff"), YEAR, organisation=county.pk) == f
    assert stats.year_figures(user("admin"), str(YEAR), organisation=county) == f
    # The report's figures are the API's, and the sentence reads them.
    r = stats.year_report(info, YEAR)
    assert r["figures"] == f
    a = f["adopted"]
    assert r["sentence"] == (
        f"全年收到社情民意信息{f['received']}篇，录用{f['accepted']}篇，编发《社情民意》专报{f['issues']}期，"
        f"被全国政协采用{a['national']}篇、省政协采用{a['province']}篇、市政协采用{a['city']}篇，"
        f"获领导批示{f['instructions']}次。"
    )
    assert sum(r["issue_kinds"].values()) == f["issues"]


def test_work_report_sentence():
    f = {
        "received": 120,
        "accepted": 45,
        "filed": 60,
        "merged": 3,
        "issues": 18,
        "adopted": {"county": 20, "city": 9, "province": 4, "national": 1},
        "instructions": 12,
    }
    assert stats.work_report_sentence(f) == (
        "全年收到社情民意信息120篇，录用45篇，编发《社情民意》专报18期，被全国政协采用1篇、省政协采用4篇、"
        "市政协采用9篇，获领导批示12次。"
    )


def test_adoption_revoked_later_stops_counting(opinion_in, user):
    o = opinion_in("accepted")
    before = stats.year_figures(user("info"), YEAR)["adopted"]["city"]
    a = services.adoption_add(user=user("info"), opinion=o, level="city", body="市委办公室")
    assert stats.year_figures(user("info"), YEAR)["adopted"]["city"] == before + 1
    services.adoption_revoke(user=user("info"), adoption=a, reason="误登记")
    assert stats.year_figures(user("info"), YEAR)["adopted"]["city"] == before
    assert Adoption.objects.filter(pk=a.pk, revoked_at__isnull=False).exists()


def test_who_may_see_the_figures(opinion_in, user):
    county = user("info").organisation
    for name in ("staff", "member1", "handler1", "other"):
        with pytest.raises(NotFound):
            stats.year_figures(user(name), YEAR)
    with pytest.raises(NotFound):  # a county user asks for the city above
        stats.year_figures(user("info"), YEAR, organisation=county.get_parent().pk)
    other_county = user("other").member.organisation
    with pytest.raises(NotFound):
        stats.year_figures(user("leader"), YEAR, organisation=other_county.pk)
    with pytest.raises(NotFound):
        stats.year_figures(user("citystaff"), YEAR, organisation=999999)
    # The city may look at any county below it: the county's figures as its own 信息科 sees them.
    theirs = stats.year_figures(user("demo-county-2-info"), YEAR)
    assert stats.year_figures(user("citystaff"), YEAR, organisation=other_county.pk) == theirs
    assert theirs["received"] > 0  # 石门区's demo year


def test_breakdowns_and_the_year_end_list(opinion_in, user):
    info = user("info")
    before = stats.year_report(info, YEAR)
    scripted_year(opinion_in, user)
    r = stats.year_report(info, YEAR)
    m1, m2, m3 = (user(n).member for n in ("member1", "member2", "member3"))
    after, was = people(r), people(before)
    assert person_delta(after, was, m1) == {
        "submitted": 2,  # A, E
        "lead": 2,
        "accepted": 1,
        "instructions": 2,
        "adopted": {"county": 1, "city": 1, "province": 0, "national": 0},
    }
    # member2 wrote B and D; D merged into A, so A's acceptance, adoptions and 批示 credit member2 too.
    assert person_delta(after, was, m2) == {
        "submitted": 2,
        "lead": 2,
        "accepted": 2,
        "instructions": 2,
        "adopted": {"county": 1, "city": 1, "province": 1, "national": 0},
    }
    # member3: C (filed), G (returned), co-author of E.
    assert person_delta(after, was, m3) == {
        "submitted": 3,
        "lead": 2,
        "accepted": 0,
        "instructions": 0,
        "adopted": {"county": 0, "city": 0, "province": 0, "national": 0},
    }
    assert after[m2.pk]["adopted_label"] == stats.levels_label(after[m2.pk]["adopted"])
    assert "省级" in after[m2.pk]["adopted_label"]
    # 年终名单: the highest levels first, then the most.
    keys = [tuple(a["adopted"][lv] for lv in stats.LEVELS_DOWN) for a in r["year_end"]]
    assert keys == sorted(keys, reverse=True)
    assert {a["member_id"] for a in r["year_end"]} == set(after)
    # By month: everything of the script falls in this month.
    month = timezone.localdate().month - 1
    this_month = minus(r["by_month"][month], before["by_month"][month])
    assert this_month == {"month": 0, "received": 6, "accepted": 2, "adopted": 3, "instructions": 2}
    assert sum(m["received"] for m in r["by_month"]) == r["figures"]["received"]
    assert sum(m["adopted"] for m in r["by_month"]) == sum(r["figures"]["adopted"].values())
    # By category.
    cats, was_cats = ({c["category"]: c for c in x["by_category"]} for x in (r, before))
    edu = minus(cats["教育科技"], was_cats.get("教育科技", {}))
    assert (edu["received"], edu["filed"]) == (1, 1)
    health = cats["医疗卫生"]
    was_health = was_cats.get("医疗卫生", {"received": 0, "accepted": 0, "adopted": 0})
    assert (
        health["received"] - was_health["received"],
        health["accepted"] - was_health["accepted"],
        health["adopted"] - was_health["adopted"],
    ) == (5, 2, 3)
    assert sum(c["received"] for c in r["by_category"]) == r["figures"]["received"]
    # By 界别 (by the first author): every received item once.
    assert sum(s["items"] for s in r["by_sector"]) == r["figures"]["received"]
    assert sum(s["accepted"] for s in r["by_sector"]) == r["figures"]["accepted"]


def test_a_body_report_counts_in_the_unit_row(user):
    info = user("info")

    def unit_row():
        rows = [
            s["items"] for s in stats.year_report(info, YEAR)["by_sector"] if s["sector"] == stats.NO_SECTOR
        ]
        return rows[0] if rows else 0

    before = unit_row()
    o = services.opinion_create(
        user=info, title="关于养老服务的建议", content="床位不足。", source_body="民盟县委会"
    )
    services.opinion_submit(user=info, opinion=o)
    assert unit_row() == before + 1


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(opinion_in, user):
    info, leader, city = user("info"), user("leader"), user("citystaff")
    county = info.organisation
    for u in (leader, city):
        assert stats.may_view(u)  # the user's roles, read once per request

    def counts():
        return (
            count_queries(lambda: stats.year_figures(leader, YEAR)),
            count_queries(lambda: stats.year_report(leader, YEAR)),
            count_queries(lambda: stats.year_report(city, YEAR, organisation=county.pk)),
        )

    scripted_year(opinion_in, user)
    small = counts()
    assert small[0] <= 4 and small[1] <= 7
    for n in range(4):
        o = opinion_in("accepted", author=f"member{n % 3 + 1}", co_authors=["member3"], category="社会治理")
        services.adoption_add(user=info, opinion=o, level="county", body="县委办公室")
        services.instruction_add(user=info, opinion=o, leader="县长", level="county", content="阅。")
    assert counts() == small


def test_stats_page_for_the_information_office_leaders_and_admins(opinion_in, user, client_for):
    scripted_year(opinion_in, user)
    url = reverse("opinions:stats")
    for name in ("info", "leader", "citystaff", "admin"):
        assert client_for(name).get(url).status_code == 200, name
    for name in ("staff", "member1", "handler1"):
        assert client_for(name).get(url).status_code == 404, name
    f = stats.year_figures(user("info"), YEAR)
    page = client_for("info").get(url, {"year": YEAR}).content.decode()
    assert f'id="stat-received">{f["received"]}<' in page
    assert f'id="stat-adopted-city">{f["adopted"]["city"]}<' in page
    assert stats.work_report_sentence(f) in page
    assert 'data-chart-source="opinion-month"' in page and 'id="opinion-level"' in page
    assert user("member2").member.name in page  # the year-end list
    assert "<script>" not in page  # charts come from JSON (CSP)
    # The city picks the county below it; the county may not pick the city; a bad year is 404.
    county = user("info").organisation
    page = client_for("citystaff").get(url, {"organisation": county.pk}).content.decode()
    assert f'id="stat-received">{f["received"]}<' in page and 'name="organisation"' in page
    assert client_for("info").get(url, {"organisation": county.get_parent().pk}).status_code == 404
    assert client_for("info").get(url, {"year": "abc"}).status_code == 404


def test_xlsx_export_through_the_export_pipeline(
    opinion_in, user, client_for, settings, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.EXPORT_INLINE_MAX_ROWS = 0  # the background path (a small year is answered at once)
    scripted_year(opinion_in, user)
    f = stats.year_figures(user("info"), YEAR)
    c = client_for("info")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("opinions:stats_export"), {"year": YEAR})
    assert r.status_code == 302
    export = Export.objects.filter(user__username="info", kind="opinions.stats_xlsx").latest("created_at")
    assert r.url == reverse("core:export", args=[export.pk])
    assert export.status == Export.Status.DONE and export.progress == 100, export.error
    assert export.params == {"year": YEAR, "organisation": user("info").organisation_id}
    assert "下载" in c.get(r.url).content.decode()
    d = c.get(reverse("core:export_download", args=[export.pk]))
    wb = load_workbook(io.BytesIO(b"".join(d.streaming_content)))
    assert wb.sheetnames == ["总体情况", "按月份", "按作者", "按界别", "按类别", "信息列表"]
    figures = {row[0]: row[1] for row in wb["总体情况"].iter_rows(values_only=True) if row and row[0]}
    assert figures["收到信息（篇）"] == f["received"] and figures["录用（篇）"] == f["accepted"]
    assert figures["留存未录用（篇）"] == f["filed"] and figures["合并（篇）"] == f["merged"]
    assert figures["编发《社情民意》（期）"] == f["issues"]
    assert figures["全国采用（篇）"] == f["adopted"]["national"]
    assert figures["省级采用（篇）"] == f["adopted"]["province"]
    assert figures["市级采用（篇）"] == f["adopted"]["city"]
    assert figures["县级采用（篇）"] == f["adopted"]["county"]
    assert figures["领导批示（次）"] == f["instructions"]
    assert figures["工作报告表述"] == stats.work_report_sentence(f)
    authors = [row[0] for row in wb["按作者"].iter_rows(min_row=2, values_only=True)]
    assert user("member2").member.name in authors
    months = list(wb["按月份"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and sum(row[1] for row in months) == f["received"]
    items = list(wb["信息列表"].iter_rows(min_row=2, values_only=True))
    assert len(items) == f["received"]
    # A: adopted at city and county level this year, two 批示.
    assert any(
        row[2] == "农村留守老人就医难问题亟待关注" and row[10] == "市级、县级" and row[11] == 2
        for row in items
    )
    # Only its owner downloads it; those without the right may not start one.
    for other in ("leader", "staff", "member1"):
        assert client_for(other).get(reverse("core:export_download", args=[export.pk])).status_code == 404
    for other in ("staff", "member1"):
        assert client_for(other).post(reverse("opinions:stats_export"), {"year": YEAR}).status_code == 404
    county = user("info").organisation
    assert (
        c.post(
            reverse("opinions:stats_export"), {"year": YEAR, "organisation": county.get_parent().pk}
        ).status_code
        == 404
    )


def test_the_city_exports_a_county_below_it(opinion_in, user, client_for, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    scripted_year(opinion_in, user)
    county = user("info").organisation
    c = client_for("citystaff")
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("opinions:stats_export"), {"year": YEAR, "organisation": county.pk})
    export = Export.objects.filter(user__username="citystaff").latest("created_at")
    assert export.status == Export.Status.DONE, export.error
    assert export.filename == f"{county.name}{YEAR}年社情民意统计.xlsx"
    wb = load_workbook(io.BytesIO(export.file.read()))
    figures = {row[0]: row[1] for row in wb["总体情况"].iter_rows(values_only=True) if row and row[0]}
    assert figures["收到信息（篇）"] == stats.year_figures(user("citystaff"), YEAR, county.pk)["received"]


def test_dashboard_section(opinion_in, user, client_for):
    from zhengxie.core.dashboard import PROVIDERS

    scripted_year(opinion_in, user)
    f = stats.year_figures(user("leader"), YEAR)
    a = f["adopted"]
    assert any(p.func is opinion_figures for p in PROVIDERS)
    section = opinion_figures(user("leader"), Period(session=None, year=YEAR))
    cards = {c.id: c.value for c in section.cards}
    assert cards["opinion-received"] == f["received"] and cards["opinion-accepted"] == f["accepted"]
    assert cards["opinion-adopted-high"] == a["national"] + a["province"]
    assert cards["opinion-adopted-local"] == a["city"] + a["county"]
    assert cards["opinion-instructions"] == f["instructions"]
    assert section.note == stats.work_report_sentence(f)
    assert section.url.startswith(reverse("opinions:stats"))
    assert opinion_figures(user("staff"), Period(session=None, year=YEAR)) is None
    page = client_for("leader").get(reverse("dashboard:index")).content.decode()
    assert 'id="dash-opinions"' in page and 'id="opinion-received"' in page


def test_a_formula_title_is_text_in_the_stats_export(
    opinion_in, user, client_for, django_capture_on_commit_callbacks
):
    """Issue 14, finding 2: the 社情民意 statistics go through core.xlsx like every other .xlsx."""
    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://evil.example.com/","点击查看详情")'
    opinion_in("submitted", author="member1", title=formula)
    c = client_for("info")
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("opinions:stats_export"), {"year": YEAR})
    export = Export.objects.filter(user__username="info", kind="opinions.stats_xlsx").latest("created_at")
    assert export.status == Export.Status.DONE, export.error
    wb = load_workbook(io.BytesIO(export.file.read()))
    cells = [cell for row in wb["信息列表"].iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_the_page_shows_the_head_of_a_long_year_end_list(opinion_in, user, client_for, monkeypatch):
    """The year-end list holds every member who reported; the page shows its first 50 (the time of a
    500-member county went into rendering them) and the whole list on 显示全部, as the .xlsx has it."""
    from zhengxie.members.models import Member
    from zhengxie.opinions.models import OpinionAuthor
    from zhengxie.opinions.stats import views as stats_views

    info = user("info")
    members = list(Member.objects.filter(organisation=info.organisation.committee)[:4])
    for m in members:
        o = opinion_in("accepted")
        OpinionAuthor.objects.create(opinion=o, member=m, order=1)
    monkeypatch.setattr(stats_views, "YEAR_END_SHOWN", 2)
    c = client_for("info")
    head = c.get("/opinions/stats/").content.decode()
    full = c.get(f"/opinions/stats/?organisation={info.organisation.committee.pk}&all=1").content.decode()
    rows = lambda html: html.split('id="stats-year-end"')[1].split("</tbody>")[0].count("<tr>") - 1  # noqa: E731
    n = len(stats.year_report(info)["year_end"])
    assert n > 2
    assert rows(head) == 2 and f"显示全部{n}人" in head and f"共{n}人" in head
    assert rows(full) == n and "显示全部" not in full


def _at_width(option: dict, width: int) -> dict:
    """The option ECharts draws in a chart `width` pixels wide: the base, then the media queries that hold
    (the ones without a query when none does), merged one level deep."""
    media = option.get("media", [])
    hits = [m for m in media if "query" in m and width <= m["query"].get("maxWidth", width)]
    hits = hits or [m for m in media if "query" not in m]
    out = dict(option.get("baseOption", option))
    for m in hits:
        for key, value in m["option"].items():
            out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) else value
    return out


def test_the_sector_chart_reads_on_a_phone():
    """#9: the 按界别 chart put 15 names side by side under the bars, slanted, on a phone 320 px wide:
    they ran into each other. There the bars now lie on their side, a name per row down the left."""
    from zhengxie.opinions.stats import charts

    names = ["社会福利和社会保障界", "中国共产党", "无党派人士", "特别邀请人士"] + [
        f"界别{n}" for n in range(11)
    ]
    report = {
        "by_sector": [
            {"sector": s, "items": 30 - n, "accepted": 10, "adopted_total": 2} for n, s in enumerate(names)
        ]
    }
    option = charts.sector_option(report)
    phone = _at_width(option, 320)
    assert phone["yAxis"]["type"] == "category" and phone["yAxis"]["data"] == names  # most reports on top
    assert phone["yAxis"]["inverse"] is True and phone["yAxis"]["axisLabel"]["rotate"] == 0
    assert phone["yAxis"]["axisLabel"]["overflow"] == "truncate"  # 社会福利… keeps its row
    assert phone["xAxis"]["type"] == "value" and phone["xAxis"]["axisLabel"]["rotate"] == 0
    desk = _at_width(option, 820)  # col-xl-8 at 1280 px
    assert desk["xAxis"]["type"] == "category" and desk["xAxis"]["data"] == names
    assert desk["xAxis"]["axisLabel"]["overflow"] == "truncate" and desk["yAxis"]["type"] == "value"
    # Canvas tooltips (the CSP drops HTML ones' inline styles): app.js does not look inside baseOption.
    assert option["baseOption"]["tooltip"]["renderMode"] == "richText"
    assert [s["data"][0] for s in option["baseOption"]["series"]] == [30, 10, 2]
