"""The public channel (微建议, issue 10): a burst of citizens submitting, and the office's lists at scale.

    .venv/bin/python bench/public_bench.py                          # SQLite
    .venv/bin/python bench/public_bench.py --engine postgresql      # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/public_bench.py --engine both --json out.json --markdown out.md
    .venv/bin/python bench/public_bench.py --only burst             # or --only lists

1. Burst. `make run`'s server (gunicorn with deploy/gunicorn.conf.py, --workers processes × --threads
threads, default 3 × 4, DEBUG off, the database task queue and its worker; bench/writers_bench.py's
Server) on the demo world (writers_bench.py's cached file / dump), started with BEHIND_PROXY=true so that
the client address is the LAST X-Forwarded-For hop: each of --clients client threads sends its own
address (10.x.y.z, distinct per client and per run), so the per-address limit `public.rate_per_hour`
(10) is never reached by the --rounds (3) submissions of one client. All clients wait at a barrier, then
each does --rounds × POST /api/v1/public/suggestions {organisation_id, title, content, consent: true}
(no login) on its own keep-alive connection; in the same run, the same burst against a bare Django view
under the same server and middleware that writes one 微建议 row with one INSERT (bench/public_floor_urls.py,
served through bench/public_floor_settings.py). Reported: throughput, p50/p95/max, errors (any answer
but 201) and lost (told 201 but not in the database, or told failure but stored), both must be 0, and
the ratio of the endpoint's throughput and p95 to the floor's.

2. Lists. The demo world plus N 微建议 (bulk_create; in every state; 85 % 青川县政协 and its liaison
groups, 10 % 石门区政协, 5 % 江州市政协; over five years, more each year); measured in-process with the
Django test Client as bench/opinions_bench.py (common.interleaved_runs): the office's queue page
/suggestions/ (user `office`), its filters (status, q), page 2 and the last page, and GET
/api/v1/suggestions?status=&page= with a token; a floor row (a bare view: the first page of the
organisation's items + count). Query counts at --small and at N. Target: p95 <= 150 ms, equal counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import writers_bench as wb  # noqa: E402  (the server, the cached demo world)

DATA_VERSION = 1
TARGET = 150.0
MIN_REQUESTS = 5
TITLE = "建议在小区门口增设公交站点"
CONTENT = (
    "我们小区有两千多户居民，最近的公交站点在一公里以外，老人和孩子出行很不方便，建议在小区门口增设站点。"
)
STATUS_MIX = [
    ("received", 4),
    ("rejected", 10),
    ("accepted", 2),
    ("routed", 8),
    ("replied", 14),
    ("closed", 62),
]
WORDS_A = ["增设", "改善", "整治", "加强", "完善", "规范", "优化", "修缮", "清理", "延长"]
WORDS_B = ["小区", "菜市场", "学校门口", "老街", "工业园", "河道", "广场", "公园", "医院周边", "村道"]
WORDS_C = [
    "路灯",
    "公交站点",
    "停车管理",
    "垃圾分类",
    "噪音问题",
    "排水设施",
    "健身器材",
    "监控",
    "绿化",
    "积水",
]


# =====================================================================================================
# Children (Django on the prepared database)
# =====================================================================================================


def burst_setup() -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from zhengxie.core.models import Organisation
    from zhengxie.suggestions.models import Suggestion

    org = Organisation.objects.get(code="demo-county")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    out = {"organisation_id": org.pk, "before": Suggestion.objects.count()}
    connection.close()
    return out


def burst_verify(tag: str) -> dict:
    common.setup_django()
    from django.db import connection

    from zhengxie.suggestions.models import Suggestion

    rows = list(Suggestion.objects.filter(title__startswith=tag).values_list("title", "tracking_code"))
    connection.close()
    return {"rows": rows}


def generate(n: int, seed: int = 2028) -> dict:
    """N suggestions on top of the demo world already in the database."""
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from zhengxie.core.models import HandlingUnit, Organisation, User
    from zhengxie.studios.models import Studio
    from zhengxie.suggestions.models import Suggestion, new_tracking_code

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    county = Organisation.objects.get(code="demo-county")
    county2 = Organisation.objects.get(code="demo-county-2")
    city = Organisation.objects.get(code="demo-city")
    towns = list(Organisation.objects.filter(kind="liaison", path__startswith=county.path))
    office = User.objects.get(username="office")
    units = {
        o.pk: list(HandlingUnit.objects.filter(organisation=o).values_list("name", flat=True))
        for o in (county, county2, city)
    }
    studios = {
        o.pk: list(Studio.objects.filter(organisation=o).values_list("pk", "name"))
        for o in (county, county2, city)
    }
    years = [today.year - k for k in range(4, -1, -1)]
    statuses, weights = zip(*STATUS_MIX, strict=True)
    made = 0
    by_status: Counter = Counter()
    with transaction.atomic():
        while made < n:
            rows = []
            for _ in range(min(10_000, n - made)):
                r = rng.random()
                org = (rng.choice(towns) if towns and rng.random() < 0.2 else county) if r < 0.85 else None
                org = org or (county2 if r < 0.95 else city)
                committee = county if org.pk not in units else org
                year = rng.choices(years, [6, 8, 10, 12, 14])[0]
                last = today if year == today.year else datetime.date(year, 12, 31)
                day = datetime.date(year, 1, 1) + datetime.timedelta(
                    days=rng.randint(0, (last - datetime.date(year, 1, 1)).days)
                )
                status = rng.choices(statuses, weights)[0]
                if status in ("received", "accepted", "routed") and (today - day).days > 45:
                    status = rng.choice(["replied", "closed"])
                created = min(
                    now, datetime.datetime.combine(day, datetime.time(rng.randint(7, 22)), tzinfo=tz)
                )
                s = Suggestion(
                    organisation=org,
                    tracking_code=new_tracking_code(),
                    title=f"{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}{rng.choice(WORDS_C)}的建议"[:100],
                    content=CONTENT,
                    name=rng.choice(["", "", "张先生", "李女士", "王师傅"]),
                    consent=True,
                    status=status,
                    created_at=created,
                    updated_at=created,
                )
                if status != "received":
                    s.moderated_at = created + datetime.timedelta(days=rng.randint(0, 3))
                    s.moderated_by = office if committee is county else None
                if status == "rejected":
                    s.reject_category = rng.choice(["spam", "out_of_scope", "duplicate"])
                    s.reject_reason = "不属于政协受理范围，请向有关部门反映。"
                if status in ("routed", "replied", "closed"):
                    s.routed_at = s.moderated_at
                    s.deadline = (s.routed_at + datetime.timedelta(days=21)).date()
                    if studios[committee.pk] and rng.random() < 0.2:
                        s.routed_to = "studio"
                        s.studio_id, s.routed_label = rng.choice(studios[committee.pk])
                    else:
                        s.routed_to = "unit"
                        s.routed_label = rng.choice(units[committee.pk] or ["县住房和城乡建设局"])[:100]
                if status in ("replied", "closed"):
                    s.replied_at = s.routed_at + datetime.timedelta(days=rng.randint(2, 25))
                    s.reply_content = "已安排现场查看，列入今年计划。"
                    s.reply_by_label = s.routed_label
                    s.reply_on_time = (s.replied_at.date() - s.deadline).days <= 0
                if status == "closed":
                    s.closed_at = s.replied_at + datetime.timedelta(days=rng.randint(1, 10))
                    s.rating = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [70, 22, 8])[
                        0
                    ]
                    s.rated_at = s.closed_at
                    if rng.random() < 0.15:
                        s.published, s.published_at = True, s.closed_at
                        s.published_answer = s.reply_content
                rows.append(s)
                by_status[status] += 1
            Suggestion.objects.bulk_create(rows, batch_size=2000)
            made += len(rows)
    common.analyze(connection)
    connection.close()
    return {"n": n, "by_status": dict(by_status), "generate_s": time.perf_counter() - t0}


def _floor_views(urlpatterns_module):
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    from zhengxie.suggestions.models import Suggestion

    def queue_floor(request):
        qs = Suggestion.objects.filter(organisation__path__startswith=request.user.organisation.path)
        rows = list(qs.order_by("-id").values("id", "title", "status", "created_at")[:20])
        return JsonResponse({"count": qs.count(), "items": rows}, json_dumps_params={"default": str})

    urlpatterns_module.urlpatterns += [path("bench-floor/suggestions/", queue_floor)]
    clear_url_caches()


def measure(n_requests: int, n_runs: int, counts_only: bool, budget: float, seed: int = 7) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load_start = os.getloadavg()
    call_command("migrate", verbosity=0)
    common.analyze(connection)

    import zhengxie.urls
    from zhengxie.core.models import User
    from zhengxie.core.permissions import org_scope_q
    from zhengxie.suggestions.models import Suggestion

    _floor_views(zhengxie.urls)
    office = User.objects.get(username="office")
    page, api = common.page_and_api_clients(office)
    visible = Suggestion.objects.filter(org_scope_q(office)).count()
    last = max(1, (visible + 19) // 20)
    routed = Suggestion.objects.filter(org_scope_q(office), status="routed").count()
    last_routed = max(1, (routed + 19) // 20)
    cases = [
        ("queue page /suggestions/", "page", "/suggestions/", TARGET),
        ("queue page ?status=received", "page", "/suggestions/?status=received", TARGET),
        ("queue page ?status=closed", "page", "/suggestions/?status=closed", TARGET),
        ("queue page ?q=路灯", "page", "/suggestions/?q=%E8%B7%AF%E7%81%AF", TARGET),
        ("queue page ?page=2", "page", "/suggestions/?page=2", TARGET),
        ("queue page, last page ?page=N", "page", f"/suggestions/?page={last}", TARGET),
        ("API /api/v1/suggestions", "api", "/api/v1/suggestions", TARGET),
        ("API ?status=received", "api", "/api/v1/suggestions?status=received", TARGET),
        (
            "API ?status=routed&page=N (last)",
            "api",
            f"/api/v1/suggestions?status=routed&page={last_routed}",
            TARGET,
        ),
        ("API ?page=2", "api", "/api/v1/suggestions?page=2", TARGET),
        ("API ?page=N (last)", "api", f"/api/v1/suggestions?page={last}", TARGET),
        ("floor: first page of the visible items + count", "page", "/bench-floor/suggestions/", None),
    ]
    cases = [(label, "office", kind, url, t) for label, kind, url, t in cases]

    def get(_who, kind, url):
        r = (api if kind == "api" else page).get(url)
        if r.status_code != 200:
            raise SystemExit(f"GET {url} -> {r.status_code}: {r.content[:300]!r}")
        return r

    for _, who, kind, url, _t in cases:
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
                "sql_full": [q["sql"] for q in ctx.captured_queries],
            }
        )
    results = common.time_requests(
        cases, get, queries, connection, n_requests, n_runs, budget, seed, MIN_REQUESTS, counts_only
    )
    out = {
        "info": {
            "vendor": connection.vendor,
            "total": Suggestion.objects.count(),
            "visible": visible,
            "last_page": last,
            "load_start": load_start,
            "load_end": os.getloadavg(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "queries": queries,
    }
    connection.close()
    return out


# =====================================================================================================
# The burst (clients in this process)
# =====================================================================================================


def citizen(port, path, run, org_id, tag, rounds, n, barrier, out):
    """One citizen's submissions, from an address of its own (10.x.y.z, distinct per client and run)."""
    ip = f"10.{run % 250}.{n // 250}.{n % 250 + 1}"
    headers = {"Content-Type": "application/json", "X-Forwarded-For": ip}
    conn = common.KeepAlive(port)
    barrier.wait()
    for i in range(rounds):
        title = f"{tag}-{n:03d}-{i} {TITLE}"
        body = {"organisation_id": org_id, "title": title, "content": CONTENT, "consent": True}
        answer = conn.post(path, body, headers)
        out.append({"text": title, "code": answer["data"].get("tracking_code"), **answer})
    conn.close()


def run_burst(engine: str, args, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="zx-public-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)

        def gen(url, out):
            return wb._child("generate", url, [], out)

        cache = f"writers-demo-v{wb.DATA_VERSION}"  # the same demo world as writers_bench.py
        pg_name = f"zx_public_{os.getpid()}"
        with common.cached_db(engine, args, tmp, cache, gen, "the demo world", pg_name) as (url, _):
            prepared = _child("burst-setup", url, [], tmp / "setup.json")
            org_id = prepared["organisation_id"]
            log(f"[{engine}] gunicorn {args.workers} workers × {args.threads} threads, BEHIND_PROXY=true ...")
            server = wb.Server(url, tmp, args.workers, args.threads, True)
            server.env.update(BEHIND_PROXY="true", DJANGO_SETTINGS_MODULE="bench.public_floor_settings")
            paths = {"endpoint": "/api/v1/public/suggestions", "floor": "/bench-floor/insert/"}

            def fire(_kind, path, slot, tag, n_clients, rounds):
                def one(n, barrier, out):
                    citizen(server.port, path, slot, org_id, tag, rounds, n, barrier, out)

                return common.burst(n_clients, one)

            def verify(tag):
                rows = _child("burst-verify", url, ["--tag", tag], tmp / "verify.json")["rows"]
                return dict(rows), {}

            with server:
                runs = common.alternating_bursts(
                    engine, args, paths, fire, verify, tag="PB", crowd="clients", per_s=" req/s"
                )
                logs = server.log_facts()
    return common.burst_report(engine, args, runs, logs)


# =====================================================================================================
# Driver
# =====================================================================================================


def _child(mode: str, url: str, extra: list[str], out: Path) -> dict:
    return common.child_json(__file__, mode, url, extra, out)


def _lists_generate(n: int, args, log):
    """generate(url, out) for common.cached_*_db: the writers' cached demo world, then n suggestions."""
    demo_cache = f"writers-demo-v{wb.DATA_VERSION}"

    def demo_gen(url, out):
        return wb._child("generate", url, [], out)

    def generate_(url, out):
        if url.startswith("sqlite:///"):
            target = Path(url[len("sqlite:///") :])
            with tempfile.TemporaryDirectory(dir=args.tmpdir) as t:
                demo, _ = common.cached_sqlite_db(demo_cache, demo_gen, Path(t), False, log, "the demo world")
                shutil.move(demo, target)
        else:
            dump = common.DATA_DIR / f"{demo_cache}.pgdump"
            if dump.exists() and shutil.which("pg_restore"):
                name = url.rsplit("/", 1)[1]
                subprocess.run(
                    ["pg_restore", *common.pg_cli_args(url), "-d", name, "--no-owner", str(dump)],
                    check=True,
                    env=common.pg_env(url),
                )
            else:
                demo_gen(url, out)
        return _child("generate", url, ["--items", str(n)], out)

    return generate_


def run_lists(engine: str, args, log) -> dict:
    sizes, cache, what = (args.small, args.items), f"public-v{DATA_VERSION}", "{} suggestions"
    runs = common.small_and_big_runs(
        __file__,
        engine,
        args,
        sizes,
        "--items",
        cache,
        what,
        "zx_pbench",
        runs=args.list_runs,
        generate=lambda n: _lists_generate(n, args, log),
    )
    per_run = {"runs": args.list_runs, "per_run": args.requests}
    return {"engine": engine, "n": args.items, "small": args.small, **per_run, **runs}


def markdown(bursts: list[dict], lists: list[dict]) -> str:
    lines = []
    if bursts:
        b0 = bursts[0]
        lines += [
            "### Public submit under a burst",
            "",
            f"`bench/public_bench.py`: {b0['clients']} citizens (client threads, each with its own keep-alive "
            f"connection and its own address, sent as X-Forwarded-For to a server started with "
            f"BEHIND_PROXY=true, which takes the last hop as the client address) released at once by a "
            f"barrier, each doing {b0['rounds']} × POST /api/v1/public/suggestions {{organisation_id, title, "
            f"content, consent: true}} without login (under the per-address limit public.rate_per_hour = 10). "
            f"Server: `make run`'s gunicorn (deploy/gunicorn.conf.py) with {b0['workers']} worker processes × "
            f"{b0['threads']} threads, DEBUG off, the database task queue and its worker (bench/writers_bench.py's "
            "Server), on the demo world. In the same server and run: the same burst against a bare Django view "
            "(bench/public_floor_urls.py, same middleware) that writes one 微建议 row with a single INSERT. "
            f"{len([r for r in b0['runs'] if r['kind'] == 'floor'])} runs of each, alternating; figures are the "
            "medians of the runs (max: the worst). Errors: any answer but 201; lost: told 201 but not in the "
            "database, or told failure but stored. Target: 0 errors, 0 lost.",
            "",
        ]
        rows = []
        for b in bursts:
            e, f = b["summary"]["endpoint"], b["summary"]["floor"]
            for kind, s in (("POST /api/v1/public/suggestions", e), ("floor: one INSERT", f)):
                rows.append(
                    [
                        b["engine"],
                        kind,
                        s["requests"],
                        f"**{s['errors']}**" if s["errors"] else "0",
                        f"**{s['lost']}**" if s["lost"] else "0",
                        f"{s['throughput']:.1f}",
                        s["p50"],
                        s["p95"],
                        s["max"],
                    ]
                )
            rows.append(
                [
                    b["engine"],
                    "endpoint ÷ floor",
                    "",
                    "",
                    "",
                    f"{e['throughput'] / f['throughput']:.2f} × throughput",
                    f"{e['p50'] / f['p50']:.1f} ×",
                    f"{e['p95'] / f['p95']:.1f} ×",
                    "",
                ]
            )
        lines.append(
            common.md_table(
                ["engine", "requests to", "answers", "errors", "lost", "req/s", "p50 ms", "p95 ms", "max ms"],
                rows,
            )
        )
        lines += ["", "Per run (load average at start → end; 2 CPUs, shared):", ""]
        per = []
        for b in bursts:
            for r in b["runs"]:
                per.append(
                    [
                        b["engine"],
                        r["run"],
                        r["kind"],
                        r["errors"],
                        r["lost"] + r["phantom"],
                        f"{r['throughput']:.1f}",
                        r["latency"]["p50"],
                        r["latency"]["p95"],
                        f"{r['load_start']} → {r['load_end']}",
                    ]
                )
            lg = b["logs"]
            lines.append(
                f"- {b['engine']}: server log: {lg.get('tracebacks', 0)} tracebacks, {lg.get('locked', 0)} "
                f"'database is locked', {lg.get('deadlock', 0)} deadlocks."
            )
        lines += [
            "",
            common.md_table(["engine", "run", "kind", "errors", "lost", "req/s", "p50", "p95", "load"], per),
        ]
    if lists:
        l0 = lists[0]
        lines += [
            "",
            "### Staff lists at scale",
            "",
            f"The demo world plus {l0['n']:,} 微建议 (bulk_create; every state — received 4 %, rejected 10 %, "
            "accepted 2 %, routed 8 %, replied 14 %, closed 62 %, the open ones recent —; 85 % in 青川县政协 "
            "(a fifth of them in its liaison groups), 10 % 石门区政协, 5 % 江州市政协; over five years). Server: "
            "none — the Django test Client in the benchmark process (1 process, 1 thread), logged in as `office` "
            f"(青川县政协 办公室), the API with a Bearer token. Each request {l0['per_run']} times per run, "
            f"{l0['runs']} runs interleaved (fewer, at least {MIN_REQUESTS}, past the run's time budget); p50 "
            "and p95 are medians over the runs. Floor: a bare view doing the first page and count of the "
            f"visible items. Query counts at {l0['small']:,} and {l0['n']:,}. Target: p95 <= 150 ms, equal counts.",
        ]
        for run in lists:
            big, sm = run.get("big_run", {}), run.get("small_run", {})
            info = big.get("info", {})
            ls, le = info.get("load_start", [0]), info.get("load_end", [0])
            lines += [
                f"\n#### {run['engine']}\n",
                f"{info.get('total', 0):,} suggestions, {info.get('visible', 0):,} visible to office (last page "
                f"{info.get('last_page')}). Load average {ls[0]:.1f} at the start, {le[0]:.1f} at the end "
                f"({info.get('cpus')} CPUs, shared).",
                "",
            ]
            queries = sm.get("queries", []), big.get("queries", [])
            rows = common.compared_rows(big.get("results", []), *queries, cpu=False)
            lines.append(common.requests_table(rows, run["small"], run["n"], cpu=False, tail=["target", ""]))
            lines += common.where_the_time_goes(big.get("queries", []))
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--only", choices=["burst", "lists", "both"], default="both")
    common.add_burst_args(p)
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--list-runs", type=int, default=5)
    p.add_argument("--budget", type=float, default=15.0)
    p.add_argument("--counts-only", action="store_true")
    args = p.parse_args()

    modes = {
        "generate": lambda: generate(args.items),
        "measure": lambda: measure(args.requests, args.runs, args.counts_only, args.budget),
        "burst-setup": burst_setup,
        "burst-verify": lambda: burst_verify(args.tag),
    }
    if common.child_mode(args, modes):
        return

    found = common.each_engine(args, {"burst": run_burst, "lists": run_lists})
    bursts, lists = found["burst"], found["lists"]
    common.write_outputs(args, {"bursts": bursts, "lists": lists}, markdown(bursts, lists))


if __name__ == "__main__":
    main()
