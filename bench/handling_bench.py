"""Speed of the handling spine's two shared screens at scale: the unit inbox (承办工作台) and the 督办 board.

    .venv/bin/python bench/handling_bench.py                       # SQLite
    .venv/bin/python bench/handling_bench.py --engine postgresql   # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/handling_bench.py --engine both --json out.json --markdown out.md

The data: bench/proposals_bench.py's world (the demo, 10 sessions, 400 handling units, N proposals in
every status with their cases, assignments, replies …; its cached SQLite file or pg_dump is reused, or
generated first), plus N items of a second kind, "bench_item" (测试事项), registered in the measuring
process only (`kinds.register(...)`, office "proposal"): N cases in the handling stage, deadlines spread
from 60 days past to 120 days ahead (so the lights are mixed: red, yellow, green), each with a 主办
assignment (and 15 % a 会办 one) to the same 400 units, weighted like the proposals' assignments so the
big bureaus get the big inboxes; 90 % of the assignments owe (`owes=True`), 60 % are acknowledged. Both
kinds are scaled together: --small of each, then N of each.

Measured in-process with the Django test Client (one process, one thread: the same method as the other
benchmarks; no HTTP server, no worker pool): handler1 (县教育局, a unit handler) on `GET /handling/` and
`GET /api/v1/inbox` (Bearer token), staff (提案委, the proposal office) on `GET /handling/board/`,
`GET /api/v1/handling/board` and `GET /api/v1/inbox` (every unit). Each request is timed --requests
times per run, in --runs runs (interleaved); a run gives a p50 and a p95, the table shows the medians
over the runs. "Floor" rows are bare Django views (same middleware, same login) doing the one
equivalent query: the first page of the unit's owed assignments joined with their cases by deadline,
the board's one aggregate by unit, kind and light (from the assignments' copies of their case), and the
first page of everything owed in the subtree by deadline. Staff also open the board filtered to red and
the per-unit figures (page and API). The SQL queries of each request are counted at --small and at N
(they must be equal).
Target (issue): p95 <= 150 ms on both engines, the same query count at both sizes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import proposals_bench  # noqa: E402  (its cached data: the proposals world)

TARGET = 150.0
MIN_REQUESTS = 5  # per request and run, whatever the time budget
KIND = "bench_item"


def register_kind():
    from zhengxie.handling import kinds

    return kinds.register(
        kinds.Kind(
            name=KIND,
            label="测试事项",
            prefix="bench",
            url=lambda c: f"/bench/{c.object_id}/",
            may_view=lambda c, u: True,
            office="proposal",
        )
    )


# =====================================================================================================
# The second kind's rows (in the measuring child, on a copy of the proposals data)
# =====================================================================================================


def add_items(n: int, seed: int = 11) -> dict:
    """N bench_item cases in the handling stage, with their assignments, by bulk_create."""
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from zhengxie.core.models import HandlingUnit, Organisation, Role, User
    from zhengxie.handling.models import Assignment, Case

    rng = random.Random(seed)
    t0 = time.perf_counter()
    county = Organisation.objects.get(code="demo-county")
    staff = User.objects.get(username="staff")
    units = list(HandlingUnit.objects.filter(organisation=county).order_by("pk").values_list("pk", flat=True))
    # The same units as the proposals, weighted like the proposals' assignments (+1: every unit some).
    share = dict(
        Assignment.objects.filter(case__kind="proposal", role="lead")
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    weights = [share.get(u, 0) + 1 for u in units]
    handler_of = {}
    for uid, unit_id in User.objects.filter(
        handling_unit__organisation=county, groups__name=Role.UNIT_HANDLER
    ).values_list("pk", "handling_unit_id"):
        handler_of.setdefault(unit_id, uid)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    topics = proposals_bench.TOPICS
    counts = {"cases": 0, "assignments": 0, "owing": 0, "acknowledged": 0}
    lights = {"red": 0, "yellow": 0, "green": 0}
    CHUNK = 10_000
    made = 0
    while made < n:
        k = min(CHUNK, n - made)
        cases, plans = [], []
        for i in range(made, made + k):
            topic, category, _ = rng.choice(topics)
            deadline = today + datetime.timedelta(days=rng.randint(-60, 120))
            assigned = deadline - datetime.timedelta(days=rng.randint(15, 90))
            left = (deadline - today).days
            light = "red" if left < 0 else "yellow" if left <= 15 else "green"
            lights[light] += 1
            cases.append(
                Case(
                    organisation=county,
                    kind=KIND,
                    object_id=i + 1,
                    title=f"关于{rng.choice(proposals_bench.ACTIONS)}{topic}{rng.choice(proposals_bench.ASPECTS)}的事项",
                    label=f"测{i + 1:06d}",
                    status="handling",
                    stage=Case.Stage.HANDLING,
                    category=category,
                    assigned_at=datetime.datetime.combine(assigned, datetime.time(10), tzinfo=tz),
                    deadline=deadline,
                    light=light,
                )
            )
            lead = rng.choices(units, weights)[0]
            co = rng.choice(units) if rng.random() < 0.15 else None
            plans.append((lead, co if co != lead else None))
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=2000)
            rows = []
            for c, (lead, co) in zip(cases, plans, strict=True):
                for unit, role in ((lead, "lead"), (co, "co")):
                    if unit is None:
                        continue
                    ack = rng.random() < 0.6
                    owes = rng.random() < 0.9
                    rows.append(
                        Assignment(
                            case_id=c.pk,
                            unit_id=unit,
                            role=role,
                            assigned_at=c.assigned_at,
                            assigned_by=staff,
                            deadline=c.deadline,
                            acknowledged_at=c.assigned_at + datetime.timedelta(days=2) if ack else None,
                            acknowledged_by_id=handler_of.get(unit, staff.pk) if ack else None,
                            owes=owes,
                            # The case's copies (services.sync_copies fills them in the application).
                            kind=KIND,
                            light=c.light,
                            organisation_id=c.organisation_id,
                        )
                    )
                    counts["owing"] += owes
                    counts["acknowledged"] += ack
            Assignment.objects.bulk_create(rows, batch_size=2000)
        counts["cases"] += len(cases)
        counts["assignments"] += len(rows)
        made += k
    counts["lights"] = lights
    counts["seconds"] = time.perf_counter() - t0
    return counts


# =====================================================================================================
# Measurement (child process on a copy of the proposals data)
# =====================================================================================================


def _floor_views(urlpatterns_module):
    """Bare views doing the one query each screen needs, under the same middleware and login."""
    from django.db.models import Count
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    from zhengxie.core.models import Organisation
    from zhengxie.handling.models import Assignment

    def subtree(user):
        return list(
            Organisation.objects.filter(path__startswith=user.organisation.path).values_list("pk", flat=True)
        )

    def inbox_floor(request):
        rows = list(
            Assignment.objects.filter(unit_id=request.user.handling_unit_id, owes=True)
            .select_related("case")
            .order_by("deadline", "id")[:20]
        )
        return JsonResponse(
            {
                "items": [
                    {
                        "id": a.case.object_id,
                        "kind": a.case.kind,
                        "title": a.case.title,
                        "deadline": str(a.deadline),
                        "light": a.case.light,
                    }
                    for a in rows
                ]
            }
        )

    def board_floor(request):
        # The board's one aggregate, from the owed rows' copies of their case (no other table), the subtree's
        # organisations read first.
        rows = list(
            Assignment.objects.filter(organisation_id__in=subtree(request.user), owes=True)
            .values("unit_id", "kind", "light")
            .annotate(n=Count("unit_id"))
            .order_by()
        )
        return JsonResponse({"rows": len(rows), "total": sum(r["n"] for r in rows)})

    def staff_inbox_floor(request):
        # The first page of everything owed in the subtree, by deadline, joined with the cases.
        rows = list(
            Assignment.objects.filter(organisation_id__in=subtree(request.user), owes=True)
            .select_related("case")
            .order_by("deadline", "id")[:20]
        )
        return JsonResponse({"items": [{"id": a.case.object_id, "title": a.case.title} for a in rows]})

    urlpatterns_module.urlpatterns += [
        path("bench-floor/inbox/", inbox_floor),
        path("bench-floor/board/", board_floor),
        path("bench-floor/staff-inbox/", staff_inbox_floor),
    ]
    clear_url_caches()


def measure(
    n_items: int, n_requests: int, n_runs: int, counts_only: bool, budget: float = 20.0, seed: int = 5
) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    load_start = os.getloadavg()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    register_kind()
    made = add_items(n_items)
    common.analyze(connection)
    prep = time.perf_counter() - t0

    import zhengxie.urls
    from zhengxie.core.models import User
    from zhengxie.handling import rules as hr
    from zhengxie.handling.models import Assignment, Case

    _floor_views(zhengxie.urls)
    users = {u.username: u for u in User.objects.filter(username__in=["staff", "handler1"])}
    staff, handler = users["staff"], users["handler1"]
    assert hr.is_unit_user(handler), "handler1 is no unit user"
    assert hr.can_supervise(staff) and hr.is_case_office(staff, kind=KIND), "staff cannot supervise"
    pages, apis = common.clients_of(users)
    unit = handler.handling_unit_id
    data = {
        "proposals": Case.objects.filter(kind="proposal").count(),
        "items": Case.objects.filter(kind=KIND).count(),
        "owed_all": Assignment.objects.filter(owes=True).count(),
        "owed_unit": Assignment.objects.filter(owes=True, unit_id=unit).count(),
        "owed_unit_by_kind": dict(
            Assignment.objects.filter(owes=True, unit_id=unit)
            .values_list("case__kind")
            .annotate(n=Count("id"))
            .order_by()
        ),
        "unit": str(handler.handling_unit),
        "added": made,
    }

    # (label, who, client kind, url, target or None for a floor)
    cases = [
        ("inbox page /handling/ (handler1)", "handler1", "page", "/handling/", TARGET),
        ("inbox API /api/v1/inbox (handler1)", "handler1", "api", "/api/v1/inbox", TARGET),
        ("board page /handling/board/ (staff)", "staff", "page", "/handling/board/", TARGET),
        ("board API /api/v1/handling/board (staff)", "staff", "api", "/api/v1/handling/board", TARGET),
        (
            "floor: owed page of the unit, joined with case (handler1)",
            "handler1",
            "page",
            "/bench-floor/inbox/",
            None,
        ),
        ("floor: board aggregate by unit, kind, light (staff)", "staff", "page", "/bench-floor/board/", None),
        # Variants a user clicks next (same targets).
        ("inbox page, red only /handling/?light=red", "handler1", "page", "/handling/?light=red", TARGET),
        (
            "inbox page, one kind /handling/?kind=bench_item",
            "handler1",
            "page",
            f"/handling/?kind={KIND}",
            TARGET,
        ),
        ("inbox page 5 /handling/?page=5", "handler1", "page", "/handling/?page=5", TARGET),
        (
            "board page, one unit /handling/board/?unit=<id>",
            "staff",
            "page",
            f"/handling/board/?unit={unit}",
            TARGET,
        ),
        ("inbox API, staff across units /api/v1/inbox", "staff", "api", "/api/v1/inbox", TARGET),
        (
            "floor: first owed page across units, joined with case (staff)",
            "staff",
            "page",
            "/bench-floor/staff-inbox/",
            None,
        ),
        (
            "board page, red only /handling/board/?light=red",
            "staff",
            "page",
            "/handling/board/?light=red",
            TARGET,
        ),
        ("unit figures API /api/v1/handling/units (staff)", "staff", "api", "/api/v1/handling/units", TARGET),
        ("unit figures page /handling/units/ (staff)", "staff", "page", "/handling/units/", TARGET),
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
                "url": url,
                "queries": len(ctx.captured_queries),
                "sql": [q["sql"][:400] for q in ctx.captured_queries],
                "sql_ms": [float(q["time"]) * 1000 for q in ctx.captured_queries],
                "sql_full": [q["sql"] for q in ctx.captured_queries],
            }
        )

    results = common.time_requests(
        cases, get, queries, connection, n_requests, n_runs, budget, seed, MIN_REQUESTS, counts_only
    )
    info = {
        "vendor": connection.vendor,
        "prepare_s": prep,
        "data": data,
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    connection.close()
    return {"info": info, "results": results, "queries": queries}


# =====================================================================================================
# Driver
# =====================================================================================================


def _child(url: str, extra: list[str], out: Path) -> dict:
    return common.child_json(__file__, None, url, extra, out)


def run_engine(engine: str, args, log) -> dict:
    out: dict = {"engine": engine, "n": args.items, "small": args.small, "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="zx-handling-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        for n, counts_only, key in ((args.small, True, "small_run"), (args.items, False, "big_run")):
            extra = ["--items", str(n), "--requests", str(args.requests), "--runs", str(args.runs)]
            extra += ["--budget", str(args.budget)]
            extra += ["--counts-only"] if counts_only else []
            if engine == "sqlite":
                db, _gen = proposals_bench._sqlite_db(n, tmp, args.fresh, log)
                log(f"[sqlite] {n} proposals + {n} {KIND}: measuring ...")
                out[key] = _child(f"sqlite:///{db}", extra, tmp / f"h-{n}.json")
                db.unlink()
            else:
                name = f"zx_hbench_{os.getpid()}_{n}"
                try:
                    url, _gen = proposals_bench._pg_db(n, args.pg_url, name, tmp, args.fresh, log)
                    log(f"[postgresql] {n} proposals + {n} {KIND}: measuring ...")
                    out[key] = _child(url, extra, tmp / f"h-pg-{n}.json")
                finally:
                    common.pg_drop(args.pg_url, name)
    return out


def markdown(runs: list[dict]) -> str:
    first = runs[0] if runs else {}
    n, small = first.get("n", 0), first.get("small", 0)
    big0 = ((first.get("big_run") or {}).get("results") or [{}])[0]
    lines = [
        f"`bench/handling_bench.py`: the proposals benchmark's world ({n:,} proposals, 400 handling units) "
        f'plus {n:,} items of a second kind registered in the benchmark process ("{KIND}", office '
        '"proposal"): cases in the handling stage, deadlines from 60 days past to 120 days ahead (lights '
        "red, yellow and green), a 主办 assignment each (15 % also a 会办 one) to the same units, weighted "
        "like the proposals' assignments; 90 % owe, 60 % acknowledged. Both kinds scaled together: query "
        f"counts at {small:,} + {small:,} and at {n:,} + {n:,}.",
        "",
        "Server: none: the Django test Client in the benchmark process (1 process, 1 thread, as the other "
        "benchmarks), logged in as handler1 (县教育局, unit handler) and staff (提案委, the proposal "
        "office); API calls with a Bearer token. Times are whole requests (middleware, queries, "
        f"template/JSON) in ms: each request {big0.get('per_run', 0)} times per run (fewer, but at least "
        f"{MIN_REQUESTS}, when they take longer than the time budget of a run), {first.get('runs', 0)} runs "
        "interleaved (a request still over 4x its target after 3 runs is not run again); p50 and p95 are the "
        'medians over the runs of each run\'s figure ("worst p95" the worst run; "n (runs)" the requests '
        'timed). "CPU" is the benchmark process\'s CPU time (Django, and '
        "SQLite, which runs inside it; not PostgreSQL's own work). Floor rows: a bare view under the same "
        "middleware and login doing the one equivalent query. Target (issue): p95 <= 150 ms on both "
        "engines, the same number of SQL queries at both sizes.",
    ]
    for run in runs:
        big, sm = run.get("big_run", {}), run.get("small_run", {})
        info = big.get("info", {})
        d = info.get("data", {})
        added = d.get("added", {})
        ls, le = info.get("load_start", [0, 0, 0]), info.get("load_end", [0, 0, 0])
        lines.append(f"\n### {run['engine']}\n")
        lines.append(
            f"{d.get('proposals', 0):,} proposal cases and {d.get('items', 0):,} {KIND} cases "
            f"({added.get('assignments', 0):,} assignments added in {added.get('seconds', 0):.0f} s; lights "
            + ", ".join(f"{k} {v:,}" for k, v in (added.get("lights") or {}).items())
            + f"); {d.get('owed_all', 0):,} owed assignments in all, {d.get('owed_unit', 0):,} owed by "
            f"{d.get('unit', '')} (handler1's unit: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted((d.get("owed_unit_by_kind") or {}).items()))
            + f"). Load average {ls[0]:.1f} at the start of this engine's {n:,} run, {le[0]:.1f} at its end "
            f"({info.get('cpus', '?')} CPUs, shared)."
        )
        small_q = {q["label"]: q for q in sm.get("queries", [])}
        big_q = {q["label"]: q for q in big.get("queries", [])}
        rows, notes = [], []
        for r in big.get("results", []):
            qs, qb = small_q.get(r["label"]), big_q.get(r["label"])
            cs = qs["queries"] if qs else "-"
            cb = qb["queries"] if qb else "-"
            same = qs is not None and qb is not None and cs == cb
            if qs is not None and qb is not None and not same:
                notes.append(
                    f"{r['label']}: "
                    + proposals_bench._sql_difference(qs["sql"], qb["sql"], run["small"], run["n"])
                )
            rows.append(common.request_row(r, cs, cb, "equal" if same else f"**DIFFERENT** ({len(notes)})"))
        lines += ["", common.requests_table(rows, run["small"], run["n"])]
        if notes:
            lines.append("")
            lines += [f"({i}) {note}" for i, note in enumerate(notes, 1)]
        slow = common.slow_statements(big.get("queries", []))
        if slow:
            lines.append(
                f"\nWhere the time goes at {run['n']:,} + {run['n']:,} (each statement of one request run again to "
                "its end after the timings, execute + fetch, the better of two; when the slowest takes >= 10 ms):\n"
            )
            lines += slow
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument(
        "--items", type=int, default=100_000, help="proposals, and as many items of the second kind"
    )
    p.add_argument("--small", type=int, default=1_000, help="size at which the query counts are compared")
    p.add_argument("--requests", type=int, default=30, help="requests of each kind per run")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds per request and run; slower requests are timed fewer times (at least 5)",
    )
    p.add_argument("--child", action="store_true")
    p.add_argument("--counts-only", action="store_true")
    args = p.parse_args()

    if args.child:
        res = measure(args.items, args.requests, args.runs, args.counts_only, args.budget)
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False))
        return
    runs = common.run_engines(args, run_engine)
    common.write_outputs(args, runs, markdown(runs))


if __name__ == "__main__":
    main()
