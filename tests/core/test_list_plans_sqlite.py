"""A city's list of proposals pages from an index on SQLite too (issue #13). SQLite cannot read
`number ASC NULLS LAST` from an index: there the order is written `number IS NULL, number ASC`
(zhengxie.core.sqlite) and proposals' migration 0011 holds exactly that order in proposal_order_sqlite_idx.
Without them every page of a city's or the province's list sorted the whole subtree (bench/list_plans.md).
EXPLAIN QUERY PLAN of the query the API list and the page really send, after ANALYZE.
(PostgreSQL's plans: test_list_plans_pg.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans"),
]


@pytest.fixture
def city_proposals(user):
    from zhengxie.core.models import Organisation
    from zhengxie.members.models import Session
    from zhengxie.proposals.models import Proposal

    city = Organisation.objects.get(code="demo-city")
    for i in range(8):
        city.refresh_from_db()
        city.add_child(name=f"测试{i}县政协", short_name=f"测试{i}县", kind="county", code=f"t-{i}")
    orgs = list(Organisation.objects.filter(path__startswith=city.path).order_by("pk"))
    sessions = list(Session.objects.filter(organisation=user("staff").organisation))
    author, now = user("member1"), timezone.now()
    Proposal.objects.bulk_create(
        [
            Proposal(
                organisation=orgs[i % len(orgs)],
                session=sessions[i % len(sessions)],
                number=None if i % 7 == 0 else 200000 + i,
                title=f"关于第{i}号事项的提案",
                reasons="理由",
                suggestions="建议",
                category="其他",
                status=Proposal.Status.DRAFT if i % 50 == 0 else Proposal.Status.HANDLING,
                author=author,
                created_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(1500)
        ],
        batch_size=500,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _page_plan(client, url: str) -> tuple[str, str]:
    """The SQL and EXPLAIN QUERY PLAN of the first ordered SELECT on proposals the request sent (the page's ids)."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    sql = next(
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT")
        and 'FROM "proposals_proposal"' in q["sql"]
        and "ORDER BY" in q["sql"]
    )
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql)
        return sql, "\n".join(str(row[-1]) for row in cur.fetchall())


def test_a_city_list_reads_its_first_page_from_the_order_index(city_proposals, api_for, client_for):
    for name, (sql, plan) in (
        ("API", _page_plan(api_for("citystaff"), "/api/v1/proposals")),
        ("page", _page_plan(client_for("citystaff"), "/proposals/")),
    ):
        assert "NULLS LAST" not in sql and '"number" IS NULL, ' in sql, sql
        assert "proposal_order_sqlite_idx" in plan and "TEMP B-TREE" not in plan, f"{name}:\n{plan}"


def test_the_order_stays_numbered_first_then_unnumbered(city_proposals, user):
    from zhengxie.proposals.selectors import proposal_list

    rows = list(proposal_list(user("citystaff"))[:3000])
    assert len(rows) > 1000
    by_session: dict = {}
    for p in rows:
        by_session.setdefault((p.session_year, p.session_number), []).append(p.number)
    for numbers in by_session.values():  # in each session: numbered ones ascending, then the unnumbered
        cut = numbers.index(None) if None in numbers else len(numbers)
        assert numbers[:cut] == sorted(numbers[:cut]) and set(numbers[cut:]) <= {None}
    assert list(by_session) == sorted(by_session, reverse=True)
