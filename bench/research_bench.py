"""Speed of the 视察调研 lists (issue 12) at demo size x100.

    .venv/bin/python bench/research_bench.py                        # SQLite
    .venv/bin/python bench/research_bench.py --engine postgresql    # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/research_bench.py --json out.json --markdown out.md

The data: the demo world (`loaddemo --members 30`, whose 青川县 has 6 topics this year), then --factor
(100) times as many topics by bulk_create: 60 % 青川县政协 this year, 20 % 青川县 the three years before,
10 % 石门区政协, 10 % 江州市政协; both kinds, every state, eight members each, a third with two
recommendations. SQLite files are cached in bench/data/ (--fresh regenerates); PostgreSQL gets a
throw-away database.

Measured in-process with the Django test Client (common.interleaved_runs): the leader and the 办公室 on
the list page /research/ (this year; by kind, searched, the last page), member1's 我的课题, GET
/api/v1/research-topics (first and last page) and a topic's page; the SQL queries of each request are
counted on the demo alone and at scale. Target: p95 <= 150 ms, equal query counts.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DATA_VERSION = 1
TARGET = 150.0
SUBJECTS = ["乡村振兴", "营商环境", "养老服务", "义务教育", "生态保护", "文旅融合", "城市更新", "基层治理"]


def generate(factor: int, seed: int = 2026) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loaddemo", members=30, stdout=devnull)
    from zhengxie.core.models import Organisation, User
    from zhengxie.members.models import Member
    from zhengxie.research.models import Recommendation, ResearchTopic

    rnd = random.Random(seed)
    year = timezone.localdate().year
    orgs = {
        o.code: o for o in Organisation.objects.filter(code__in=["demo-county", "demo-county-2", "demo-city"])
    }
    county = orgs["demo-county"]
    demo = ResearchTopic.objects.filter(organisation=county, year=year).count()
    plan = (
        [(county, year)] * 60
        + [(county, year - 1 - i % 3) for i in range(20)]
        + [(orgs["demo-county-2"], year)] * 10
        + [(orgs["demo-city"], year)] * 10
    )
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    members = {
        o.pk: list(Member.objects.filter(organisation=o).values_list("pk", flat=True)) for o in orgs.values()
    }
    states = [s for s, _ in ResearchTopic.Status.choices]
    topics = []
    for i in range(demo * factor):
        org, y = plan[i % len(plan)]
        topics.append(
            ResearchTopic(
                organisation=org,
                year=y,
                kind=rnd.choice(["research", "inspection"]),
                title=f"关于{rnd.choice(SUBJECTS)}的课题第{i}号",
                leader=leader,
                status=rnd.choice(states),
                chair_collective=rnd.random() < 0.1,
                sites=["现场"],
                created_by=office,
            )
        )
    ResearchTopic.objects.bulk_create(topics, batch_size=500)
    through = ResearchTopic.members.through
    links, recs = [], []
    for t in topics:
        pool = members.get(t.organisation_id) or members[county.pk]
        links += [through(researchtopic_id=t.pk, member_id=m) for m in rnd.sample(pool, min(8, len(pool)))]
        if rnd.random() < 0.33:
            recs += [Recommendation(topic=t, number=n, content="建议加强统筹。") for n in (1, 2)]
    through.objects.bulk_create(links, batch_size=2000)
    Recommendation.objects.bulk_create(recs, batch_size=1000)
    return {
        "demo_topics": demo,
        "topics": ResearchTopic.objects.count(),
        "county_year": ResearchTopic.objects.filter(organisation=county, year=year).count(),
        "seconds": time.perf_counter() - t0,
    }


def measure(n_requests: int, n_runs: int, budget: float, counts_only: bool) -> dict:
    users, pages, apis = common.measure_setup(["leader", "office", "member1"])
    from django.db import connection
    from django.utils import timezone

    from zhengxie.research.models import ResearchTopic
    from zhengxie.research.views import PER_PAGE

    year = timezone.localdate().year
    county = users["office"].organisation
    total = ResearchTopic.objects.filter(organisation__path__startswith=county.path, year=year).count()
    last = max(1, -(-total // PER_PAGE))
    topic = ResearchTopic.objects.filter(organisation=county, title="全县义务教育阶段学校布局优化").first()
    cases = [
        ("list page (leader, this year)", "leader", "page", f"/research/?year={year}", TARGET),
        (
            "list page, inspections (office)",
            "office",
            "page",
            f"/research/?year={year}&kind=inspection",
            TARGET,
        ),
        ("list page, search (office)", "office", "page", f"/research/?year={year}&q=养老", TARGET),
        ("list page, last page (office)", "office", "page", f"/research/?year={year}&page={last}", TARGET),
        ("我的课题 (member1)", "member1", "page", "/research/mine/", TARGET),
        (
            "GET /api/v1/research-topics (leader)",
            "leader",
            "api",
            f"/api/v1/research-topics?year={year}",
            TARGET,
        ),
        (
            "GET /api/v1/research-topics last page",
            "leader",
            "api",
            f"/api/v1/research-topics?year={year}&page={last}",
            TARGET,
        ),
        ("topic page (office)", "office", "page", f"/research/{topic.pk}/", TARGET),
    ]

    def list_floor(request):
        qs = ResearchTopic.objects.filter(**common.subtree_filter(request.user), year=year)
        return common.first_page_floor(qs.order_by("-year", "-id"), PER_PAGE)

    floors = [("floor: first page + count of the year's topics", "leader", list_floor)]
    floor_of = {c[0]: floors[0][0] for c in cases if "list page" in c[0] or "research-topics" in c[0]}
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
    out.update({"visible_this_year": total, "vendor": connection.vendor})
    return out


def markdown(runs: list[dict]) -> str:
    return common.demo_factor_markdown(
        runs,
        lambda run, big, gen: (
            f"demo x{run['factor']} = {gen.get('topics', '?')} topics "
            f"({big['visible_this_year']} visible to 青川县 this year). Target p95 <= {TARGET:.0f} ms."
        ),
        size_key="topics",
    )


def main() -> None:
    common.demo_factor_main(
        __file__,
        __doc__,
        generate=generate,
        measure=measure,
        markdown=markdown,
        cache=f"research-v{DATA_VERSION}",
        pg_prefix="zx_rbench",
    )


if __name__ == "__main__":
    main()
