"""Speed of the 重点工作 lists (issue 12) at demo size x100.

    .venv/bin/python bench/keytasks_bench.py                        # SQLite
    .venv/bin/python bench/keytasks_bench.py --engine postgresql    # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/keytasks_bench.py --json out.json --markdown out.md

The data: the demo world (`loaddemo --members 30`, whose 青川县 list has 14 tasks in 8 categories), then
--factor (100) times as many tasks by bulk_create: 60 % 青川县政协 this year, 20 % 青川县 the three years
before, 10 % 石门区政协, 10 % 江州市政协; 19 categories per organisation and year; each task with three
milestones and three progress reports, a mixed percent, done in a third of the cases, lights as the daily
job leaves them (services.refresh). SQLite files are generated once and cached in bench/data/ (--fresh
regenerates); each run works on a copy; PostgreSQL gets a throw-away database.

Measured in-process with the Django test Client as bench/opinions_bench.py (common.interleaved_runs):
the leader (县政协主席) and the 办公室 on the list page /keytasks/ (this year; filtered by light, searched,
the last page), GET /api/v1/key-tasks (first and last page), the board (/keytasks/board/ and GET
/api/v1/key-tasks/board) and a task's page. The SQL queries of each request are counted on the demo alone
and at scale. Target: p95 <= 150 ms, equal query counts.
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
CATEGORIES = [
    "政治引领",
    "协商议政",
    "民主监督",
    "提案工作",
    "社情民意",
    "委员履职",
    "文史工作",
    "自身建设",
    "界别活动",
    "专委会工作",
    "联络组工作",
    "委员工作室",
    "招商引资",
    "乡村振兴",
    "基层协商",
    "宣传工作",
    "理论研究",
    "对外联谊",
    "机关党建",
]
VERBS = ["深入开展", "组织实施", "持续推进", "全面完成", "认真做好", "扎实推进"]
OBJECTS = ["专题协商", "民主监督", "调研视察", "履职培训", "重点提案督办", "文史资料征编", "委员联系群众"]


def generate(factor: int, seed: int = 2026) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loaddemo", members=30, stdout=devnull)
    from zhengxie.core.models import Organisation, User
    from zhengxie.keytasks import services
    from zhengxie.keytasks.models import Category, KeyTask, Milestone, ProgressReport

    rnd = random.Random(seed)
    today = timezone.localdate()
    county = Organisation.objects.get(code="demo-county")
    county2 = Organisation.objects.get(code="demo-county-2")
    city = Organisation.objects.get(code="demo-city")
    demo = KeyTask.objects.filter(organisation=county, year=today.year).count()
    n = demo * factor
    staff = {
        o.pk: list(User.objects.filter(organisation=o, groups__name="staff")) for o in (county, county2, city)
    }
    office = User.objects.get(username="office")
    for o in (county2, city):
        if not staff[o.pk]:
            staff[o.pk] = [office]
    leader = User.objects.get(username="leader")
    plan = (
        [(county, today.year)] * 60
        + [(county, today.year - 1 - i % 3) for i in range(20)]
        + [(county2, today.year)] * 10
        + [(city, today.year)] * 10
    )
    cats: dict[tuple, Category] = {(c.organisation_id, c.year, c.name): c for c in Category.objects.all()}
    numbers: dict[tuple, int] = {}
    for t in KeyTask.objects.values("organisation_id", "year", "number"):
        key = (t["organisation_id"], t["year"])
        numbers[key] = max(numbers.get(key, 0), t["number"])
    tasks = []
    for i in range(n):
        org, year = plan[i % len(plan)]
        name = CATEGORIES[rnd.randrange(len(CATEGORIES))]
        key = (org.pk, year, name)
        if key not in cats:
            cats[key] = Category.objects.create(
                organisation=org, year=year, name=name, order=CATEGORIES.index(name)
            )
        numbers[(org.pk, year)] = numbers.get((org.pk, year), 0) + 1
        start = datetime.date(year, 1, 1)
        due = datetime.date(year, rnd.choice([6, 9, 10, 11, 12]), 28)
        done = rnd.random() < 0.33
        percent = 100 if done else rnd.randint(0, 95)
        owner = rnd.choice(staff[org.pk])
        tasks.append(
            KeyTask(
                organisation=org,
                year=year,
                category=cats[key],
                number=numbers[(org.pk, year)],
                title=f"{rnd.choice(VERBS)}{rnd.choice(OBJECTS)}第{i}项",
                description="按时间表推进。",
                owner=owner,
                owner_unit="办公室",
                leader=leader if org.pk == county.pk else None,
                starts_on=start,
                due_on=due,
                percent=percent,
                status="done" if done else "in_progress",
                created_by=office,
            )
        )
    KeyTask.objects.bulk_create(tasks, batch_size=500)
    ms, reports = [], []
    now = timezone.now()
    for t in tasks:
        span = (t.due_on - t.starts_on).days
        for k in (1, 2, 3):
            day = t.starts_on + datetime.timedelta(days=span * k // 3)
            ms.append(
                Milestone(
                    task=t,
                    title=f"节点{k}",
                    due_on=day,
                    done_on=day if day < today and t.percent > 30 * k else None,
                )
            )
            reports.append(
                ProgressReport(
                    task=t,
                    percent=t.percent * k // 3,
                    previous=t.percent * (k - 1) // 3,
                    note="按计划推进。",
                    expected=33 * k,
                    light="green",
                    reported_by=t.owner,
                    at=now - datetime.timedelta(days=30 * (3 - k)),
                )
            )
    Milestone.objects.bulk_create(ms, batch_size=1000)
    ProgressReport.objects.bulk_create(reports, batch_size=1000)
    from zhengxie.core.notifications import external_delivery_muted

    with external_delivery_muted():
        refreshed = services.refresh(today)
    return {
        "demo_tasks": demo,
        "tasks": KeyTask.objects.count(),
        "county_year": KeyTask.objects.filter(organisation=county, year=today.year).count(),
        "refresh": refreshed,
        "seconds": time.perf_counter() - t0,
    }


def measure(n_requests: int, n_runs: int, budget: float, counts_only: bool) -> dict:
    users, pages, apis = common.measure_setup(["leader", "office"])
    from django.db import connection
    from django.utils import timezone

    from zhengxie.keytasks.models import KeyTask

    year = timezone.localdate().year
    county = users["office"].organisation
    total = KeyTask.objects.filter(organisation__path__startswith=county.path, year=year).count()
    from zhengxie.keytasks.views import PER_PAGE

    last = max(1, -(-total // PER_PAGE))  # the page size of the list and of the API alike
    task = KeyTask.objects.filter(organisation=county, year=year).order_by("-id").first()
    cases = [
        ("list page (leader, this year)", "leader", "page", f"/keytasks/?year={year}", TARGET),
        ("list page, red lights (leader)", "leader", "page", f"/keytasks/?year={year}&light=red", TARGET),
        ("list page, search (office)", "office", "page", f"/keytasks/?year={year}&q=协商", TARGET),
        ("list page, last page (office)", "office", "page", f"/keytasks/?year={year}&page={last}", TARGET),
        ("GET /api/v1/key-tasks (leader)", "leader", "api", f"/api/v1/key-tasks?year={year}", TARGET),
        (
            "GET /api/v1/key-tasks last page",
            "leader",
            "api",
            f"/api/v1/key-tasks?year={year}&page={last}",
            TARGET,
        ),
        ("board page (leader)", "leader", "page", f"/keytasks/board/?year={year}", TARGET),
        ("GET /api/v1/key-tasks/board", "leader", "api", f"/api/v1/key-tasks/board?year={year}", TARGET),
        ("task page (office)", "office", "page", f"/keytasks/{task.pk}/", TARGET),
    ]

    from django.db.models import Count

    def list_floor(request):
        qs = KeyTask.objects.filter(**common.subtree_filter(request.user), year=year)
        return common.first_page_floor(
            qs.order_by("year", "organisation_id", "category_id", "number", "id"), PER_PAGE
        )

    def board_floor(request):
        qs = KeyTask.objects.filter(**common.subtree_filter(request.user), year=year)
        return list(qs.values("category_id", "light").annotate(n=Count("id")).order_by())

    floors = [
        ("floor: first page + count of the year's tasks", "leader", list_floor),
        ("floor: the year's tasks by category and light", "leader", board_floor),
    ]
    floor_of = {c[0]: floors[0][0] for c in cases if "list page" in c[0] or "/key-tasks " in c[0] + " "}
    floor_of.update({c[0]: floors[1][0] for c in cases if "board" in c[0]})
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
    out.update({"tasks_visible_this_year": total, "vendor": connection.vendor})
    return out


def markdown(runs: list[dict]) -> str:
    return common.demo_factor_markdown(
        runs,
        lambda run, big, gen: (
            f"demo x{run['factor']} = {gen.get('tasks', '?')} tasks "
            f"({big['tasks_visible_this_year']} visible to 青川县 this year). Target p95 <= {TARGET:.0f} ms."
        ),
        size_key="tasks",
    )


def main() -> None:
    common.demo_factor_main(
        __file__,
        __doc__,
        generate=generate,
        measure=measure,
        markdown=markdown,
        cache=f"keytasks-v{DATA_VERSION}",
        pg_prefix="zx_kbench",
    )


if __name__ == "__main__":
    main()
