"""Speed of the 社情民意 pages and API at scale: 100,000 items.

    .venv/bin/python bench/opinions_bench.py                       # SQLite
    .venv/bin/python bench/opinions_bench.py --engine postgresql   # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/opinions_bench.py --engine both --json out.json --markdown out.md

The data: the demo world (`loaddemo --members 30`, with its own ~46 items), 470 more members of 青川县,
then N items by bulk_create (the services would take hours): 85 % in 青川县政协, 5 % in 石门区政协 and
the rest copies forwarded to 江州市政协 (with the chain's root), over the last ten years (more each
year, as the proposals benchmark's ten sessions), titles composed from word lists; in every state (draft 4 %, submitted 4 % — recent —, returned 2 %,
accepted 58 %, filed 26 %, merged 6 %), one to three authors (member1 leads one item in 400), issues per
organisation and year (15 % of the accepted items in a 专报, 40 % in 摘报 of four), adoptions (a quarter
of the accepted items at county level, 4 % city, 1 % province, 0.2 % national, a few revoked), 批示 on 5 %
(a tenth with a 批示落实 case for a unit), and a timeline (create, submit, the decision, the issue). Not
made: duty records and the search index (no measured request reads them). SQLite files are generated
once and cached in bench/data/ (git-ignored; --fresh regenerates); each run works on a copy. PostgreSQL
gets a throw-away database restored from a cached pg_dump when there is one, dropped afterwards. Cached
data are migrated before each run, so a new index migration is measured without regenerating.

Measured in-process with the Django test Client (one process, one thread, as the other benchmarks; no
HTTP server, no worker pool): info (青川县 信息科) on the queue (`/opinions/queue/`, `GET
/api/v1/opinions?queue=true`), an item (`/opinions/<id>/`, `GET /api/v1/opinions/<id>`) and the year's
statistics (`/opinions/stats/`, `GET /api/v1/opinions/stats`); member1 on 我的社情民意 (`/opinions/`, `GET
/api/v1/opinions?mine=true`). "Floor" rows: bare Django views (same middleware, same login) doing the one
equivalent query. Each request is timed --requests times per run in --runs runs (interleaved); p50 and
p95 are the medians over the runs. The SQL queries of each request are counted at --small and at N.
Target (issue 9): p95 <= 150 ms on SQLite and PostgreSQL, constant query counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import proposals_bench as pb  # noqa: E402  (word lists)

DATA_VERSION = 2  # 2: ten years, as the proposals benchmark's ten sessions
TARGET = 150.0
MIN_REQUESTS = 5
CATEGORIES = [
    "经济发展",
    "社会民生",
    "教育科技",
    "医疗卫生",
    "生态环境",
    "乡村振兴",
    "城乡建设",
    "社会治理",
    "文化旅游",
    "其他",
]
STATUS_MIX = [("draft", 4), ("submitted", 4), ("returned", 2), ("accepted", 58), ("filed", 26), ("merged", 6)]
LEVEL_MIX = [("county", 0.25), ("city", 0.04), ("province", 0.01), ("national", 0.002)]


# =====================================================================================================
# Generation (child process)
# =====================================================================================================


def generate(n: int, seed: int = 2027) -> dict:
    common.setup_django()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from zhengxie.core.models import Counter, HandlingUnit, Organisation, Role, User
    from zhengxie.handling.models import Assignment, Case
    from zhengxie.members.models import Member, Sector, Term
    from zhengxie.opinions.models import (
        Adoption,
        Instruction,
        Opinion,
        OpinionAuthor,
        OpinionEvent,
        OpinionIssue,
    )

    timings = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    call_command("loaddemo", members=30, verbosity=0)
    timings["loaddemo"] = time.perf_counter() - t0

    rng = random.Random(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    now = timezone.now()

    def dt(day, hour=10):
        return min(now, datetime.datetime.combine(day, datetime.time(hour, rng.randint(0, 59)), tzinfo=tz))

    t0 = time.perf_counter()
    county = Organisation.objects.get(code="demo-county")
    county2 = Organisation.objects.get(code="demo-county-2")
    city = Organisation.objects.get(code="demo-city")
    towns = list(Organisation.objects.filter(kind="liaison", path__startswith=county.path))
    users = {u.username: u for u in User.objects.filter(username__in=["info", "office", "citystaff"])}
    info, office, citystaff = users["info"], users["office"], users["citystaff"]
    other_staff = User.objects.filter(organisation=county2).first()
    with transaction.atomic():
        sectors = list(Sector.objects.filter(organisation=county))
        term = Term.objects.get(organisation=county, is_current=True)
        new_users = [
            User(
                username=f"om{i:04d}",
                name=rng.choice(pb.SURNAMES) + "".join(rng.sample(pb.GIVEN, 2)),
                organisation=county,
                password="!",
                password_changed_at=now,
            )
            for i in range(470)
        ]
        User.objects.bulk_create(new_users)
        new_users = list(User.objects.filter(username__startswith="om").order_by("pk"))
        Member.objects.bulk_create(
            [
                Member(
                    user=u,
                    organisation=county,
                    term=term,
                    code=f"O{i:04d}",
                    name=u.name,
                    gender=rng.choice("MF"),
                    sector=rng.choice(sectors),
                    liaison_group=rng.choice(towns),
                )
                for i, u in enumerate(new_users)
            ]
        )
        group = Group.objects.get(name=Role.MEMBER)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in new_users]
        )
    members = list(Member.objects.filter(organisation=county).select_related("user").order_by("pk"))
    members2 = list(Member.objects.filter(organisation=county2).select_related("user").order_by("pk"))
    member1 = next(m for m in members if m.user.username == "member1")
    units = list(HandlingUnit.objects.filter(organisation=county).order_by("pk"))
    timings["members"] = time.perf_counter() - t0

    years = [today.year - k for k in range(9, -1, -1)]
    year_weights = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    statuses, weights = zip(*STATUS_MIX, strict=True)
    n_city = n * 10 // 100
    n_local = n - n_city
    counts = {
        k: 0 for k in ("items", "copies", "authors", "events", "issues", "adoptions", "instructions", "cases")
    }

    def text():
        topic, _cat, _unit = rng.choice(pb.TOPICS)
        place = rng.choice(pb.PLACES)
        title = f"关于{rng.choice(pb.ACTIONS)}{place}{topic}{rng.choice(pb.ASPECTS)}的建议"
        body = "".join(
            rng.choice(pb.REASONS).format(place=rng.choice(pb.PLACES), n=rng.randint(12, 900), topic=topic)
            for _ in range(rng.randint(3, 6))
        )
        return title[:200], body

    t0 = time.perf_counter()
    CHUNK = 10_000
    made = 0
    accepted: dict[tuple[int, int], list[Opinion]] = {}  # (organisation, year) -> accepted items
    local_accepted: list[Opinion] = []
    while made < n_local:
        k = min(CHUNK, n_local - made)
        rows, plans = [], []
        for _ in range(k):
            org = county if rng.random() < 0.94 else county2
            pool = members if org is county else members2
            year = rng.choices(years, year_weights)[0]
            last = today if year == today.year else datetime.date(year, 12, 31)
            created = datetime.date(year, 1, 2) + datetime.timedelta(
                days=rng.randint(0, (last - datetime.date(year, 1, 2)).days)
            )
            status = rng.choices(statuses, weights)[0]
            if status == "submitted" and (today - created).days > 60:
                status = "accepted"  # waiting items are recent
            lead = member1 if org is county and rng.random() < 0.0025 else rng.choice(pool)
            authors = [lead]
            r = rng.random()
            if r < 0.25:
                authors += [m for m in rng.sample(pool, 2 if r < 0.1 else 1) if m.pk != lead.pk]
            body_source = rng.random() < 0.08
            title, content = text()
            submitted = (
                None if status == "draft" else dt(created + datetime.timedelta(days=rng.randint(0, 2)))
            )
            reviewed = (
                dt(submitted.date() + datetime.timedelta(days=rng.randint(1, 8)), 15)
                if status in ("accepted", "filed", "returned", "merged")
                else None
            )
            staff = info if org is county else other_staff
            o = Opinion(
                organisation=org,
                year=(submitted or dt(created)).year,
                title=title,
                content=content,
                category=rng.choice(CATEGORIES),
                source="party" if body_source else "member",
                source_body="民盟青川县委员会" if body_source else "",
                status=status,
                created_by=office if body_source else (lead.user or staff),
                created_at=dt(created, 9),
                updated_at=reviewed or submitted or dt(created, 9),
                submitted_at=submitted,
                reviewed_at=reviewed,
                reviewed_by=staff if reviewed else None,
                edited_title=("关于" + title[2:]) if status == "accepted" and rng.random() < 0.5 else "",
                review_note="请补充具体数据。" if status in ("returned", "filed") else "",
            )
            rows.append(o)
            plans.append([] if body_source else authors)
        with transaction.atomic():
            Opinion.objects.bulk_create(rows, batch_size=2000)
            Opinion.objects.filter(pk__in=[o.pk for o in rows]).update(root=F("pk"))
            authors_rows, events = [], []
            for o, authors in zip(rows, plans, strict=True):
                o.root_id = o.pk
                authors_rows += [OpinionAuthor(opinion=o, member=m, order=i) for i, m in enumerate(authors)]
                events.append(
                    OpinionEvent(
                        opinion=o, actor=o.created_by, action="create", label="暂存", at=o.created_at
                    )
                )
                if o.submitted_at:
                    events.append(
                        OpinionEvent(
                            opinion=o, actor=o.created_by, action="submit", label="提交", at=o.submitted_at
                        )
                    )
                if o.reviewed_at:
                    label = {
                        "accepted": "录用",
                        "filed": "留存未录用",
                        "returned": "退回修改",
                        "merged": "合并",
                    }[o.status]
                    events.append(
                        OpinionEvent(
                            opinion=o, actor=o.reviewed_by, action=o.status, label=label, at=o.reviewed_at
                        )
                    )
                if o.status == "accepted":
                    accepted.setdefault((o.organisation_id, o.year), []).append(o)
                    if o.organisation_id == county.pk:
                        local_accepted.append(o)
            OpinionAuthor.objects.bulk_create(authors_rows, batch_size=5000)
            OpinionEvent.objects.bulk_create(events, batch_size=5000)
            counts["authors"] += len(authors_rows)
            counts["events"] += len(events)
        counts["items"] += len(rows)
        made += k
    # merged items point at an accepted item of their organisation and year
    merged = list(
        Opinion.objects.filter(status="merged", merged_into__isnull=True).only(
            "pk", "organisation_id", "year"
        )
    )
    for o in merged:
        targets = accepted.get((o.organisation_id, o.year))
        if targets:
            o.merged_into_id = rng.choice(targets).pk
    Opinion.objects.bulk_update(merged, ["merged_into"], batch_size=2000)

    # copies forwarded to the city, and the city's decisions
    made = 0
    forwarded = rng.sample(local_accepted, min(n_city, len(local_accepted)))
    for start in range(0, len(forwarded), CHUNK):
        part = forwarded[start : start + CHUNK]
        copies = []
        for src in part:
            when = src.reviewed_at + datetime.timedelta(days=rng.randint(2, 20))
            when = min(when, now)
            status = rng.choices(["accepted", "filed", "submitted"], [70, 20, 10])[0]
            if status == "submitted" and (now - when).days > 60:
                status = "accepted"
            copies.append(
                Opinion(
                    organisation=city,
                    year=when.year,
                    title=src.edited_title or src.title,
                    content=src.content,
                    category=src.category,
                    source="forwarded",
                    source_body=county.name,
                    status=status,
                    created_by=info,
                    created_at=when,
                    updated_at=when,
                    submitted_at=when,
                    reviewed_at=when + datetime.timedelta(days=3) if status != "submitted" else None,
                    reviewed_by=citystaff if status != "submitted" else None,
                    forwarded_from=src,
                    root_id=src.pk,
                )
            )
            src.forwarded_at = when
        with transaction.atomic():
            Opinion.objects.bulk_create(copies, batch_size=2000)
            Opinion.objects.bulk_update(part, ["forwarded_at"], batch_size=2000)
            src_authors: dict[int, list] = {}
            for a in OpinionAuthor.objects.filter(opinion_id__in=[s.pk for s in part]).order_by("order"):
                src_authors.setdefault(a.opinion_id, []).append(a.member_id)
            OpinionAuthor.objects.bulk_create(
                [
                    OpinionAuthor(opinion=c, member_id=m, order=i)
                    for c in copies
                    for i, m in enumerate(src_authors.get(c.forwarded_from_id, []))
                ],
                batch_size=5000,
            )
            events = []
            for c in copies:
                events.append(
                    OpinionEvent(
                        opinion_id=c.forwarded_from_id,
                        actor=info,
                        action="forward",
                        label=f"报送{city.name}",
                        at=c.created_at,
                    )
                )
                events.append(
                    OpinionEvent(
                        opinion=c,
                        actor=info,
                        action="received",
                        label=f"收到{county.name}报送",
                        at=c.created_at,
                    )
                )
                if c.status == "accepted":
                    accepted.setdefault((city.pk, c.year), []).append(c)
            OpinionEvent.objects.bulk_create(events, batch_size=5000)
            counts["events"] += len(events)
        counts["copies"] += len(copies)
    timings["items"] = time.perf_counter() - t0

    # issues per organisation and year: 专报 and 摘报 of four, numbered after what the demo has
    t0 = time.perf_counter()
    with transaction.atomic():
        for (org_id, year), items in sorted(accepted.items()):
            items.sort(key=lambda o: o.reviewed_at)
            numbers = (
                Counter.objects.filter(organisation_id=org_id, key=f"opinions.issue.{year}")
                .values_list("value", flat=True)
                .first()
                or 0
            )
            plan, batch = [], []
            for o in items:
                r = rng.random()
                if r < 0.15:
                    plan.append(("special", [o]))
                elif r < 0.55:
                    batch.append(o)
                    if len(batch) == 4:
                        plan.append(("digest", batch))
                        batch = []
            issues = []
            for kind, part in plan:
                numbers += 1
                when = min(now, part[-1].reviewed_at + datetime.timedelta(days=2))
                issues.append(
                    OpinionIssue(
                        organisation_id=org_id,
                        year=year,
                        number=numbers,
                        kind=kind,
                        title=part[0].edited_title or part[0].title if kind == "special" else "社情民意摘报",
                        signer="陈志远",
                        status="published",
                        created_by=info if org_id != city.pk else citystaff,
                        created_at=when,
                        published_at=when,
                        published_by=info if org_id != city.pk else citystaff,
                    )
                )
            OpinionIssue.objects.bulk_create(issues, batch_size=2000)
            changed, events = [], []
            for issue, (_kind, part) in zip(issues, plan, strict=True):
                for k, o in enumerate(part, 1):
                    o.issue_id, o.issue_order = issue.pk, k
                    changed.append(o)
                    events.append(
                        OpinionEvent(
                            opinion=o,
                            actor=issue.created_by,
                            action="issue",
                            label=f"编入《社情民意》{issue.label}",
                            at=issue.created_at,
                        )
                    )
            Opinion.objects.bulk_update(changed, ["issue", "issue_order"], batch_size=2000)
            OpinionEvent.objects.bulk_create(events, batch_size=5000)
            Counter.objects.update_or_create(
                organisation_id=org_id, key=f"opinions.issue.{year}", defaults={"value": numbers}
            )
            counts["issues"] += len(issues)
            counts["events"] += len(events)
    timings["issues"] = time.perf_counter() - t0

    # adoptions and 批示 on the county's accepted items (and the city's copies)
    t0 = time.perf_counter()
    adoptions, instructions = [], []
    for o in local_accepted:
        day = min(today, o.reviewed_at.date() + datetime.timedelta(days=rng.randint(5, 60)))
        for level, p in LEVEL_MIX:
            if rng.random() < p:
                revoked = rng.random() < 0.01
                adoptions.append(
                    Adoption(
                        opinion=o,
                        root_id=o.pk,
                        organisation=county,
                        level=level,
                        body={
                            "county": "县委办公室",
                            "city": "江州市政协",
                            "province": "省政协办公厅",
                            "national": "全国政协办公厅",
                        }[level],
                        used_as=rng.choice(["single", "summary"]),
                        adopted_on=day,
                        year=day.year,
                        recorded_by=info,
                        recorded_at=dt(day, 17),
                        revoked_at=dt(day, 18) if revoked else None,
                        revoked_by=info if revoked else None,
                    )
                )
        if rng.random() < 0.05:
            instructions.append(
                Instruction(
                    opinion=o,
                    root_id=o.pk,
                    organisation=county,
                    leader=rng.choice(["县委书记 刘建华", "县长 王海涛", "副县长 李明"]),
                    level="county",
                    content="请有关部门认真研究，抓好落实。",
                    instructed_on=day,
                    year=day.year,
                    recorded_by=info,
                    recorded_at=dt(day, 17),
                )
            )
    with transaction.atomic():
        Adoption.objects.bulk_create(adoptions, batch_size=5000)
        Instruction.objects.bulk_create(instructions, batch_size=5000)
        # a tenth of the 批示 sent a follow-up to a unit (a case on the handling spine)
        routed = [i for i in instructions if rng.random() < 0.1]
        cases = []
        for i in routed:
            deadline = i.instructed_on + datetime.timedelta(days=30)
            cases.append(
                Case(
                    organisation=county,
                    kind="opinion_instruction",
                    object_id=i.pk,
                    title=f"关于落实{i.leader}批示：{i.opinion.display_title}"[:200],
                    label=f"批示{i.pk}",
                    status="closed" if deadline < today else "assigned",
                    stage=Case.Stage.CLOSED if deadline < today else Case.Stage.HANDLING,
                    category=i.opinion.category,
                    assigned_at=dt(i.instructed_on, 11),
                    deadline=deadline,
                    light="" if deadline < today else "green",
                )
            )
        Case.objects.bulk_create(cases, batch_size=2000)
        assignments = []
        for i, c in zip(routed, cases, strict=True):
            i.case_id, i.unit_id, i.deadline = c.pk, rng.choice(units).pk, c.deadline
            assignments.append(
                Assignment(
                    case=c,
                    unit_id=i.unit_id,
                    role="lead",
                    assigned_at=c.assigned_at,
                    assigned_by=info,
                    deadline=c.deadline,
                    owes=c.stage != Case.Stage.CLOSED,
                    kind=c.kind,
                    light=c.light,
                    organisation_id=county.pk,
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        Instruction.objects.bulk_update(routed, ["case", "unit", "deadline"], batch_size=2000)
        events = [
            OpinionEvent(
                opinion=a.opinion, actor=info, action="adopt", label=f"采用：{a.body}", at=a.recorded_at
            )
            for a in adoptions
        ] + [
            OpinionEvent(
                opinion=i.opinion,
                actor=info,
                action="instruct",
                label=f"{i.leader}批示",
                detail=i.content,
                at=i.recorded_at,
            )
            for i in instructions
        ]
        OpinionEvent.objects.bulk_create(events, batch_size=5000)
    counts["adoptions"], counts["instructions"], counts["cases"] = (
        len(adoptions),
        len(instructions),
        len(cases),
    )
    counts["events"] += len(events)
    timings["adoptions"] = time.perf_counter() - t0
    common.analyze(connection)
    connection.close()
    return {"n": n, "counts": counts, "timings": timings, "seed": seed}


# =====================================================================================================
# Measurement (child process, on a copy)
# =====================================================================================================


def _floor_views(urlpatterns_module):
    """Bare views doing the one query each screen needs, under the same middleware and login."""
    from django.db.models import Count
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    from zhengxie.opinions.models import Opinion, OpinionAuthor

    def queue_floor(request):
        qs = Opinion.objects.filter(organisation_id=request.user.organisation_id).exclude(status="draft")
        rows = list(qs.order_by("-id").values("id", "title", "status", "submitted_at")[:20])
        return JsonResponse({"count": qs.count(), "items": rows}, json_dumps_params={"default": str})

    def mine_floor(request):
        member = request.user.member
        qs = Opinion.objects.filter(pk__in=OpinionAuthor.objects.filter(member=member).values("opinion_id"))
        rows = list(qs.order_by("-id").values("id", "title", "status")[:20])
        return JsonResponse({"count": qs.count(), "items": rows}, json_dumps_params={"default": str})

    def item_floor(request, pk):
        o = Opinion.objects.select_related("organisation", "issue").get(pk=pk)
        return JsonResponse({"id": o.pk, "title": o.display_title, "issue": o.issue_id})

    def stats_floor(request):
        year = datetime.date.today().year
        rows = dict(
            Opinion.objects.filter(organisation_id=request.user.organisation_id, year=year)
            .exclude(status="draft")
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        return JsonResponse(rows)

    urlpatterns_module.urlpatterns += [
        path("bench-floor/queue/", queue_floor),
        path("bench-floor/mine/", mine_floor),
        path("bench-floor/item/<int:pk>/", item_floor),
        path("bench-floor/stats/", stats_floor),
    ]
    clear_url_caches()


def measure(n_requests: int, n_runs: int, counts_only: bool, budget: float = 20.0, seed: int = 5) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    load_start = os.getloadavg()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    common.analyze(connection)
    prep = time.perf_counter() - t0

    import zhengxie.urls
    from zhengxie.core.models import ApiToken, User
    from zhengxie.opinions.models import (
        Adoption,
        Instruction,
        Opinion,
        OpinionAuthor,
        OpinionEvent,
        OpinionIssue,
    )

    _floor_views(zhengxie.urls)
    users = {u.username: u for u in User.objects.filter(username__in=["info", "member1"])}
    info, member1 = users["info"], users["member1"]
    pages, apis = {}, {}
    for name, user in users.items():
        c = Client()
        c.force_login(user)
        pages[name] = c
        apis[name] = Client(headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})
    # The item: a forwarded, adopted county item with a 批示 (the richest page), and one of member1's.
    adopted = Adoption.objects.filter(organisation=info.organisation, revoked_at__isnull=True).values(
        "root_id"
    )
    item = (
        Opinion.objects.filter(pk__in=adopted, forwarded_at__isnull=False, organisation=info.organisation)
        .filter(pk__in=Instruction.objects.values("root_id"))
        .order_by("-id")
        .first()
        or Opinion.objects.filter(pk__in=adopted).order_by("-id").first()
    )
    mine = Opinion.objects.filter(authors__member__user=member1).order_by("-id").first()
    org = info.organisation
    data = {
        "items": Opinion.objects.count(),
        "county": Opinion.objects.filter(organisation=org).count(),
        "county_year": Opinion.objects.filter(organisation=org, year=datetime.date.today().year).count(),
        "by_status": dict(
            Opinion.objects.filter(organisation=org).values_list("status").annotate(n=Count("id")).order_by()
        ),
        "member1": OpinionAuthor.objects.filter(member__user=member1).count(),
        "authors": OpinionAuthor.objects.count(),
        "events": OpinionEvent.objects.count(),
        "issues": OpinionIssue.objects.count(),
        "adoptions": Adoption.objects.count(),
        "instructions": Instruction.objects.count(),
        "item": item.pk,
        "mine": mine.pk,
        "item_events": OpinionEvent.objects.filter(opinion=item).count(),
    }

    cases = [
        ("queue page /opinions/queue/ (info)", "info", "page", "/opinions/queue/", TARGET),
        (
            "queue API /api/v1/opinions?queue=true (info)",
            "info",
            "api",
            "/api/v1/opinions?queue=true",
            TARGET,
        ),
        (
            "floor: first page of the organisation's items + count",
            "info",
            "page",
            "/bench-floor/queue/",
            None,
        ),
        ("queue page 50 /opinions/queue/?page=50", "info", "page", "/opinions/queue/?page=50", TARGET),
        (
            "queue page, accepted /opinions/queue/?status=accepted",
            "info",
            "page",
            "/opinions/queue/?status=accepted",
            TARGET,
        ),
        ("member's list /opinions/ (member1)", "member1", "page", "/opinions/", TARGET),
        (
            "member's list API /api/v1/opinions?mine=true (member1)",
            "member1",
            "api",
            "/api/v1/opinions?mine=true",
            TARGET,
        ),
        ("floor: the member's items, first page + count", "member1", "page", "/bench-floor/mine/", None),
        ("item page /opinions/<id>/ (info)", "info", "page", f"/opinions/{item.pk}/", TARGET),
        ("item API /api/v1/opinions/<id> (info)", "info", "api", f"/api/v1/opinions/{item.pk}", TARGET),
        (
            "item page /opinions/<id>/ (member1, own)",
            "member1",
            "page",
            f"/opinions/{mine.pk}/",
            TARGET,
        ),
        (
            "floor: one item with organisation and issue",
            "info",
            "page",
            f"/bench-floor/item/{item.pk}/",
            None,
        ),
        ("stats page /opinions/stats/ (info)", "info", "page", "/opinions/stats/", TARGET),
        ("stats API /api/v1/opinions/stats (info)", "info", "api", "/api/v1/opinions/stats", TARGET),
        ("floor: the year's items by status (one aggregate)", "info", "page", "/bench-floor/stats/", None),
    ]

    def get(who, kind, url):
        c = apis[who] if kind == "api" else pages[who]
        r = c.get(url)
        if r.status_code != 200:
            raise SystemExit(f"{who} GET {url} -> {r.status_code}: {r.content[:300]!r}")
        return r

    for _, who, kind, url, _t in cases:  # warm-up
        get(who, kind, url)
        get(who, kind, url)

    import gc

    gc.collect()
    gc.freeze()

    queries = []
    for label, who, kind, url, _t in cases:
        with CaptureQueriesContext(connection) as ctx:
            get(who, kind, url)
        queries.append(
            {
                "label": label,
                "queries": len(ctx.captured_queries),
                "sql": [q["sql"][:400] for q in ctx.captured_queries],
                "sql_full": [q["sql"] for q in ctx.captured_queries],
            }
        )

    results = common.time_requests(
        cases, get, queries, connection, n_requests, n_runs, budget, seed, MIN_REQUESTS, counts_only
    )
    info_ = {
        "vendor": connection.vendor,
        "prepare_s": prep,
        "data": data,
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    connection.close()
    return {"info": info_, "results": results, "queries": queries}


# =====================================================================================================
# Driver
# =====================================================================================================


def run_engine(engine: str, args, log) -> dict:
    sizes, cache = (args.small, args.items), f"opinions-v{DATA_VERSION}"
    runs = common.small_and_big_runs(__file__, engine, args, sizes, "--items", cache, "{} items", "zx_obench")
    per_run = {"runs": args.runs, "per_run": args.requests}
    return {"engine": engine, "n": args.items, "small": args.small, **per_run, **runs}


def markdown(runs: list[dict]) -> str:
    first = runs[0] if runs else {}
    n, small = first.get("n", 0), first.get("small", 0)
    lines = [
        f"`bench/opinions_bench.py`: the demo world plus {n:,} 社情民意 items (85 % in 青川县政协 over ten "
        "years, 5 % in 石门区政协, 10 % copies forwarded to 江州市政协) in every state, with authors (member1 "
        "leads one in 400), issues, adoptions at every level, 批示 (a tenth with a unit case) and timelines; "
        "no duty records and no search index (no measured request reads them). Query counts at "
        f"{small:,} and at {n:,} items.",
        "",
        "Server: none: the Django test Client in the benchmark process (1 process, 1 thread, no worker "
        "pool, as the other benchmarks), logged in as info (青川县 信息科) and member1; API calls with a "
        f"Bearer token. Times are whole requests in ms: each request {first.get('per_run', 0)} times per run "
        f"(fewer, but at least {MIN_REQUESTS}, beyond the run's time budget), {first.get('runs', 0)} runs "
        'interleaved; p50 and p95 are the medians over the runs, "worst p95" the worst run; CPU is the '
        "benchmark process's (Django, and SQLite inside it; not PostgreSQL's own work). Floor rows: a bare "
        "view under the same middleware and login doing the one equivalent query. Target (issue 9): p95 <= "
        "150 ms on both engines, the same number of SQL queries at both sizes.",
    ]
    for run in runs:
        big, sm = run.get("big_run", {}), run.get("small_run", {})
        info = big.get("info", {})
        d = info.get("data", {})
        ls, le = info.get("load_start", [0, 0, 0]), info.get("load_end", [0, 0, 0])
        lines.append(f"\n### {run['engine']}\n")
        lines.append(
            f"{d.get('items', 0):,} items ({d.get('county', 0):,} in 青川县政协, {d.get('county_year', 0):,} of them "
            f"this year; by status "
            + ", ".join(f"{k} {v:,}" for k, v in sorted((d.get("by_status") or {}).items()))
            + f"), {d.get('authors', 0):,} authorships (member1: {d.get('member1', 0):,}), {d.get('events', 0):,} "
            f"timeline events, {d.get('issues', 0):,} issues, {d.get('adoptions', 0):,} adoptions, "
            f"{d.get('instructions', 0):,} 批示; the items measured: {d.get('item')} (forwarded, adopted, "
            f"with a 批示; {d.get('item_events', 0)} events) and member1's {d.get('mine')}. Load "
            f"average {ls[0]:.1f} at the start of the {n:,} run, {le[0]:.1f} at its end ({info.get('cpus', '?')} "
            "CPUs, shared)."
        )
        rows = common.compared_rows(big.get("results", []), sm.get("queries", []), big.get("queries", []))
        lines += ["", common.requests_table(rows, run["small"], run["n"])]
        slow = common.slow_statements(big.get("queries", []))
        if slow:
            lines.append(
                f"\nWhere the time goes at {run['n']:,} (each statement run again to its end, execute + "
                "fetch, the better of two; when the slowest takes >= 10 ms):\n"
            )
            lines += slow
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--small", type=int, default=1_000, help="size at which the query counts are compared")
    common.add_measure_args(p, budget=20.0)
    args = p.parse_args()

    modes = {
        "generate": lambda: generate(args.items),
        "measure": lambda: measure(args.requests, args.runs, args.counts_only, args.budget),
    }
    if common.child_mode(args, modes):
        return
    runs = common.run_engines(args, run_engine)
    common.write_outputs(args, runs, markdown(runs))


if __name__ == "__main__":
    main()
