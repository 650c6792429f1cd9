"""Speed of the 民主监督 lists (issue 12) at demo size x100.

    .venv/bin/python bench/supervision_bench.py                        # SQLite
    .venv/bin/python bench/supervision_bench.py --engine postgresql    # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/supervision_bench.py --json out.json --markdown out.md

The data: the demo world (`loaddemo --members 30`, whose 青川县 has two groups this year with their
lists), then --factor (100) times as many groups by bulk_create: 60 % 青川县政协 this year, 20 % 青川县 the
three years before, 10 % 石门区政协, 10 % 江州市政协; each with a leader, three members, eight items of the
three lists (the rectification items without a case: the spine's own benchmark measures cases) and
ratings. SQLite files are cached in bench/data/ (--fresh regenerates); PostgreSQL gets a throw-away
database.

Measured in-process with the Django test Client (common.interleaved_runs): the leader and the 办公室 on
the index page /supervision/ (this year: figures, chart and list; searched; the last page), GET
/api/v1/supervisions (first and last page), GET /api/v1/supervisions/stats and a group's page. The SQL
queries of each request are counted on the demo alone and at scale. Target: p95 <= 150 ms, equal counts.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DATA_VERSION = 1
TARGET = 150.0
LISTS = [
    "problem",
    "problem",
    "problem",
    "suggestion",
    "suggestion",
    "rectification",
    "rectification",
    "rectification",
]
STATUSES = ["routed", "replied", "rectified", "rectified", "rehandling"]


def generate(factor: int, seed: int = 2026) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loaddemo", members=30, stdout=devnull)
    from zhengxie.core.models import HandlingUnit, Organisation, User
    from zhengxie.members.models import Member
    from zhengxie.supervision.models import Item, Rating, Supervision

    rnd = random.Random(seed)
    year = timezone.localdate().year
    orgs = {
        code: Organisation.objects.get(code=code) for code in ("demo-county", "demo-county-2", "demo-city")
    }
    county = orgs["demo-county"]
    demo = Supervision.objects.filter(organisation=county, year=year).count()
    n = demo * factor
    office = User.objects.get(username="office")
    units = {o.pk: list(HandlingUnit.objects.filter(organisation=o)) for o in orgs.values()}
    members = {o.pk: list(Member.objects.filter(organisation=o)) for o in orgs.values()}
    for o in orgs.values():  # the city has no units or members of its own in the demo
        units[o.pk] = units[o.pk] or units[county.pk]
        members[o.pk] = members[o.pk] or members[county.pk]
    plan = (
        [(county, year)] * 60
        + [(county, year - 1 - i % 3) for i in range(20)]
        + [(orgs["demo-county-2"], year)] * 10
        + [(orgs["demo-city"], year)] * 10
    )
    groups = []
    for i in range(n):
        org, y = plan[i % len(plan)]
        unit = rnd.choice(units[org.pk])
        groups.append(
            Supervision(
                organisation=org,
                year=y,
                unit=unit,
                title=f"{y}年度{unit.name}民主监督小组{i}",
                leader=rnd.choice(members[org.pk]),
                starts_on=datetime.date(y, 3, 1),
                ends_on=datetime.date(y, 12, 31),
                status=rnd.choice(["active", "active", "rated", "closed"]),
                created_by=office,
            )
        )
    Supervision.objects.bulk_create(groups, batch_size=500)
    through = Supervision.members.through
    links, items, ratings = [], [], []
    for s in groups:
        pool = members[s.organisation_id]
        for m in rnd.sample(pool, k=min(3, len(pool))):
            if m.pk != s.leader_id:
                links.append(through(supervision_id=s.pk, member_id=m.pk))
        numbers: dict[str, int] = {}
        for kind in LISTS:
            numbers[kind] = numbers.get(kind, 0) + 1
            items.append(
                Item(
                    supervision=s,
                    list=kind,
                    number=numbers[kind],
                    content=f"第{numbers[kind]}条{kind}事项：按要求整改落实。",
                    status=rnd.choice(STATUSES) if kind == "rectification" else "recorded",
                    created_by=office,
                )
            )
        for aspect in ("工作作风", "依法履职", "整改落实", "服务成效"):
            ratings.append(Rating(supervision=s, member=s.leader, aspect=aspect, rating="satisfied"))
    through.objects.bulk_create(links, batch_size=1000)
    Item.objects.bulk_create(items, batch_size=1000)
    Rating.objects.bulk_create(ratings, batch_size=1000)
    return {
        "demo_groups": demo,
        "groups": Supervision.objects.count(),
        "items": Item.objects.count(),
        "county_year": Supervision.objects.filter(organisation=county, year=year).count(),
        "seconds": time.perf_counter() - t0,
    }


def measure(n_requests: int, n_runs: int, budget: float, counts_only: bool) -> dict:
    users, pages, apis = common.measure_setup(["leader", "office"])
    from django.db import connection
    from django.utils import timezone

    from zhengxie.supervision.models import Supervision
    from zhengxie.supervision.views import PER_PAGE

    year = timezone.localdate().year
    county = users["office"].organisation
    total = Supervision.objects.filter(organisation__path__startswith=county.path, year=year).count()
    last = max(1, -(-total // PER_PAGE))
    group = Supervision.objects.filter(organisation=county, year=year).order_by("id").first()
    cases = [
        ("index page (leader, this year)", "leader", "page", f"/supervision/?year={year}", TARGET),
        ("index page, search (office)", "office", "page", f"/supervision/?year={year}&q=教育", TARGET),
        (
            "index page, last page (office)",
            "office",
            "page",
            f"/supervision/?year={year}&page={last}",
            TARGET,
        ),
        ("GET /api/v1/supervisions (leader)", "leader", "api", f"/api/v1/supervisions?year={year}", TARGET),
        (
            "GET /api/v1/supervisions last page",
            "leader",
            "api",
            f"/api/v1/supervisions?year={year}&page={last}",
            TARGET,
        ),
        (
            "GET /api/v1/supervisions/stats",
            "leader",
            "api",
            f"/api/v1/supervisions/stats?year={year}",
            TARGET,
        ),
        ("group page (office)", "office", "page", f"/supervision/{group.pk}/", TARGET),
    ]

    def list_floor(request):
        qs = Supervision.objects.filter(**common.subtree_filter(request.user), year=year)
        return common.first_page_floor(qs.order_by("-year", "organisation_id", "id"), PER_PAGE)

    floors = [("floor: first page + count of the year's groups", "leader", list_floor)]
    floor_of = {c[0]: floors[0][0] for c in cases if "index page" in c[0] or "supervisions " in c[0] + " "}
    out = common.count_and_time(
        cases,
        pages,
        apis,
        n_requests=n_requests,
        n_runs=n_runs,
        budget=budget,
        counts_only=counts_only,
        floors=floors,
        floor_of=floor_of,
    )
    out.update({"groups_visible_this_year": total, "vendor": connection.vendor})
    return out


def markdown(runs: list[dict]) -> str:
    return common.demo_factor_markdown(
        runs,
        lambda run, big, gen: (
            f"demo x{run['factor']} = {gen.get('groups', '?')} groups, "
            f"{gen.get('items', '?')} items ({big['groups_visible_this_year']} groups visible to 青川县 this "
            f"year). Target p95 <= {TARGET:.0f} ms."
        ),
        size_key="groups",
    )


def main() -> None:
    common.demo_factor_main(
        __file__,
        __doc__,
        generate=generate,
        measure=measure,
        markdown=markdown,
        cache=f"supervision-v{DATA_VERSION}",
        pg_prefix="zx_sbench",
    )


if __name__ == "__main__":
    main()
