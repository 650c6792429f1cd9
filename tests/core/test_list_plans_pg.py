"""The main lists read indexes, not the whole table (issues #13, #16), checked on PostgreSQL's own plans.

A city with 24 committees and a few thousand proposals and 社情民意 items spread over them, ANALYZEd; then
the queries the API lists really send (captured from the requests) are EXPLAINed: a county's and the
city's staff list of proposals, the county 信息科's list of 社情民意. The page of each must not read the table
sequentially: a sequential scan there is a cost that grows with the table (bench/RESULTS.md, "政协云": 326
ms p95 at 93,000 proposals before). (The counts are not checked here: without a VACUUM, impossible inside
the test's transaction, an index-only scan looks no cheaper to the planner than reading a few thousand
rows; bench/list_plans.md records them at bench size.)
Skipped on SQLite (its plans are checked by hand in docs/architecture.md, "Lists at scale")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's plans (run with DATABASE_URL set)"
    ),
]

EXTRA_COUNTIES, PROPOSALS, OPINIONS = 60, 6000, 4000


@pytest.fixture
def big_city(user):
    from zhengxie.core.models import Organisation
    from zhengxie.members.models import Session
    from zhengxie.opinions.models import Opinion
    from zhengxie.proposals.models import Proposal

    city = Organisation.objects.get(code="demo-city")
    county = user("staff").organisation
    for i in range(EXTRA_COUNTIES):
        city.refresh_from_db()
        city.add_child(name=f"测试{i}县政协", short_name=f"测试{i}县", kind="county", code=f"t-{i}")
    orgs = list(Organisation.objects.filter(path__startswith=city.path).order_by("pk"))
    sessions = list(Session.objects.filter(organisation=county))
    author = user("member1")
    now = timezone.now()
    Proposal.objects.bulk_create(
        [
            Proposal(
                organisation=orgs[i % len(orgs)],
                session=sessions[i % len(sessions)],
                number=100000 + i,
                title=f"关于第{i}号事项的提案",
                reasons="理由",
                suggestions="建议",
                category="其他",
                status=Proposal.Status.DRAFT if i % 50 == 0 else Proposal.Status.HANDLING,
                author=author,
                created_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(PROPOSALS)
        ],
        batch_size=1000,
    )
    Opinion.objects.bulk_create(
        [
            Opinion(
                organisation=orgs[i % len(orgs)],
                year=now.year,
                title=f"第{i}条社情民意",
                content="正文",
                status=Opinion.Status.DRAFT if i % 50 == 0 else Opinion.Status.SUBMITTED,
                created_by=author,
            )
            for i in range(OPINIONS)
        ],
        batch_size=1000,
    )
    with connection.cursor() as cur:
        for table in ("proposals_proposal", "opinions_opinion", "core_organisation", "members_session"):
            cur.execute(f"ANALYZE {table}")
    return orgs


def _plans(client, url: str, table: str) -> dict[str, str]:
    """The EXPLAIN of each SELECT on `table` that the request sent: {"count": plan, "page": plan}."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    out = {}
    for q in ctx.captured_queries:
        sql = q["sql"]
        if not sql.startswith("SELECT") or f'FROM "{table}"' not in sql:
            continue
        kind = "count" if sql.startswith("SELECT COUNT(*)") else "page"
        if kind in out:  # the page's rows by their ids come after the page's ids: keep the first
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN " + sql)
            out[kind] = "\n".join(row[0] for row in cur.fetchall())
    assert set(out) == {"count", "page"}, list(out)
    return out


def test_proposal_lists_of_a_county_and_a_city_read_indexes(big_city, api_for):
    county = _plans(api_for("staff"), "/api/v1/proposals", "proposals_proposal")
    city = _plans(api_for("citystaff"), "/api/v1/proposals", "proposals_proposal")
    for name, plan in (
        ("county page", county["page"]),
        ("city page", city["page"]),
    ):
        assert "Seq Scan on proposals_proposal" not in plan, f"{name}:\n{plan}"
    # The city's page is the first entries of the order index that pass the filter (no sort of the subtree).
    assert (
        "proposal_order_idx" in city["page"] and "Sort" not in city["page"].split("proposal_order_idx")[0]
    ), city["page"]


def test_the_info_office_list_of_opinions_reads_indexes(big_city, api_for):
    plan = _plans(api_for("info"), "/api/v1/opinions", "opinions_opinion")["page"]
    assert "Seq Scan on opinions_opinion" not in plan, plan


def test_a_county_whose_items_are_the_oldest_reads_its_own_newest_not_the_table(big_city, api_for, user):
    """A committee whose 社情民意 items are all older than the rest of the province's (generated, imported or
    simply a quiet county): newest first by the primary key, the page would read back through every newer
    item of the other committees before it finds 20 of its own (bench "政协云" at 0.1: a county's 信息科 read
    40,000 index entries, 35-48 ms, 231 ms p95). Each committee's newest are read from its own index entries
    (opinion_org_recent_idx) instead, and the page is the newest of those."""
    from zhengxie.core.models import Organisation
    from zhengxie.opinions.models import Opinion

    county = user("info").organisation
    others = list(
        Organisation.objects.filter(path__startswith=county.get_parent().path).exclude(
            path__startswith=county.path
        )
    )
    Opinion.objects.bulk_create(
        [
            Opinion(
                organisation=others[i % len(others)],
                year=timezone.now().year,
                title=f"其他委员会第{i}条",
                content="正文",
                status=Opinion.Status.SUBMITTED,
                created_by=user("member1"),
            )
            for i in range(6000)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE opinions_opinion")
    mine = Opinion.objects.filter(organisation__path__startswith=county.path).exclude(status="draft")
    newest = list(mine.order_by("-id").values_list("pk", flat=True)[:20])
    assert len(newest) == 20 and newest[0] < Opinion.objects.order_by("-id")[1000].pk  # the oldest items

    client = api_for("info")
    plan = _plans(client, "/api/v1/opinions", "opinions_opinion")["page"]
    assert "opinion_org_recent_idx" in plan, plan
    assert "Index Scan Backward using opinions_opinion_pkey" not in plan, plan
    # The same rows and count as the plain filter (own OR the subtree's submitted ones).
    from zhengxie.opinions import selectors

    plain = selectors.opinion_list(user("info")).filter()  # a further filter: the plain queryset
    r = client.get("/api/v1/opinions")
    expected = list(plain.values_list("pk", flat=True)[:20])
    assert [row["id"] for row in r.json()["items"]] == expected and r.json()["count"] == plain.count()
