import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.members.models import Session
from zhengxie.performance import acts as A
from zhengxie.performance.services import recompute_now, record_act

from .conftest import YEAR


def _fill(make_member, county, sectors, committees, n, offset=0):
    s = list(Session.objects.filter(organisation=county))
    for i in range(n):
        m = make_member(sector=sectors[(i + offset) % 3], committees=[committees[i % 2]])
        for j in range(i % 4 + 1):
            record_act(member=m, act=A.INSPECTION, source=s[j], occurred_on=datetime.date(YEAR, 2, 1))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries), r


def test_rankings_page_and_api_query_counts_do_not_grow(
    client_for, api_for, make_member, county, sectors, committees, django_assert_max_num_queries
):
    _fill(make_member, county, sectors, committees, 4)
    recompute_now(organisation=county, year=YEAR)
    c, api = client_for("staff"), api_for("staff")
    urls = {
        by: reverse("performance:rankings") + f"?year={YEAR}&by={by}"
        for by in ("sector", "committee", "liaison")
    }
    first = {by: _queries(c, u)[0] for by, u in urls.items()}
    api_first = _queries(api, f"/api/v1/rankings?year={YEAR}&by=committee")[0]
    _fill(make_member, county, sectors, committees, 12, offset=1)
    recompute_now(organisation=county, year=YEAR)
    for by, u in urls.items():
        with django_assert_max_num_queries(first[by]):
            assert c.get(u).status_code == 200
    with django_assert_max_num_queries(api_first):
        assert api.get(f"/api/v1/rankings?year={YEAR}&by=committee").status_code == 200


def test_rankings_show_groups_distribution_and_ranks(
    client_for, api_for, make_member, county, sectors, committees
):
    _fill(make_member, county, sectors, committees, 6)
    recompute_now(organisation=county, year=YEAR)
    r = client_for("leader").get(reverse("performance:rankings") + f"?year={YEAR}&by=sector")
    body = r.content.decode()
    assert sectors[0].name in body and 'id="hist-chart"' in body and 'id="groups-chart"' in body
    data = api_for("staff").get(f"/api/v1/rankings?year={YEAR}").json()
    assert data["count"] >= 6 and len(data["items"]) == 20
    top = data["items"][0]
    assert top["rank"] == 1 and top["total"] == 16.0  # 4 inspections × 4
    totals = [i["total"] for i in data["items"]]
    assert totals == sorted(totals, reverse=True)
    # Ties share a rank (competition ranking).
    ranks = {i["total"]: i["rank"] for i in data["items"]}
    assert len(ranks) < len(data["items"])
    g = api_for("staff").get(f"/api/v1/rankings?year={YEAR}&by=committee&group={committees[0].pk}").json()
    from zhengxie.members.models import Member

    assert g["count"] == Member.objects.filter(committees=committees[0], status="active").count()
    assert {i["member_id"] for i in g["items"]} <= set(
        Member.objects.filter(committees=committees[0]).values_list("pk", flat=True)
    )


def test_rankings_are_for_office_roles_only(client_for, api_for):
    assert client_for("member1").get(reverse("performance:rankings")).status_code == 404
    assert api_for("member1").get("/api/v1/rankings").status_code == 404
    assert client_for("other").get(reverse("performance:rankings")).status_code == 404


def test_other_county_is_not_reachable_by_org_parameter(client_for, county):
    from zhengxie.core.models import Organisation

    county2 = Organisation.objects.get(code="demo-county-2")
    assert client_for("staff").get(reverse("performance:rankings") + f"?org={county2.pk}").status_code == 404
    assert (
        client_for("citystaff").get(reverse("performance:rankings") + f"?org={county2.pk}").status_code == 200
    )


def test_ranks_are_competition_ranks_on_every_page(make_member, county, sectors, committees):
    from zhengxie.performance import selectors

    _fill(make_member, county, sectors, committees, 9)
    recompute_now(organisation=county, year=YEAR)
    ranked = selectors.ranking_members(county, YEAR)
    everyone = ranked[0 : ranked.count()]
    totals = [r.total for r in everyone]
    expected = [1 + sum(1 for t in totals if t > x) for x in totals]
    assert [r.rank for r in everyone] == expected
    for start in range(0, len(totals), 7):  # any page gives the same ranks
        assert [r.rank for r in ranked[start : start + 7]] == expected[start : start + 7]


def test_nightly_job_gives_every_active_member_a_score_for_this_year(county):
    from zhengxie.core.scheduler import JOBS
    from zhengxie.members.models import Member
    from zhengxie.performance import jobs  # noqa: F401 - registers the job
    from zhengxie.performance.models import MemberYearScore
    from zhengxie.performance.selectors import this_year

    MemberYearScore.objects.filter(organisation=county, year=this_year()).delete()
    JOBS["performance.recompute_scores"].func()
    active = set(Member.objects.filter(organisation=county, status="active").values_list("pk", flat=True))
    scored = set(
        MemberYearScore.objects.filter(organisation=county, year=this_year()).values_list(
            "member_id", flat=True
        )
    )
    # every active member; a member who left this year (the demo's 已劝辞 / 视为辞去) keeps the year's records
    assert active <= scored
    assert not Member.objects.filter(pk__in=scored - active, duty_records__isnull=True).exists()


def test_a_member_without_points_is_not_ranked_first(client_for, api_for, user):
    """0 points is 暂未排名 on the archive and in the API, not 第 1 名 among the others with nothing."""
    from django.utils import timezone

    from zhengxie.members.models import Member
    from zhengxie.performance.models import DutyRecord

    m = (
        Member.objects.filter(organisation__code="demo-county", status="active")
        .exclude(user__username__in=["member1", "member2", "member3"])
        .first()
    )
    year = timezone.localdate().year
    DutyRecord.objects.filter(member=m).delete()
    from zhengxie.performance.services import recompute_now

    recompute_now(organisation=m.organisation, year=year)
    page = client_for("office").get(f"/performance/members/{m.pk}/?year={year}").content.decode()
    assert "暂未排名" in page
    data = api_for("office").get(f"/api/v1/members/{m.pk}/duty?year={year}").json()
    assert data["total"] == 0 and data["rank_in_sector"] is None
