"""Proposals behind gunicorn on PostgreSQL, each request beside its floor, at 1,000 and 100,000 proposals.

    .venv/bin/python bench/proposals_server_bench.py                                  # 1,000 and 100,000
    .venv/bin/python bench/proposals_server_bench.py --proposals 1000 --runs 2 --seconds 3   # a quick look
    .venv/bin/python bench/proposals_server_bench.py --json out.json --markdown out.md

What an outsider measures (issue 16): the server is `make run`'s — gunicorn with deploy/gunicorn.conf.py,
--workers processes × --threads threads (3 × 4), DEBUG off — on a throw-away PostgreSQL database holding
bench/proposals_bench.py's generated data (its cached pg_dump in bench/data/, generated once by its
`--child generate`; nothing is generated twice). Its settings (bench/proposals_floor_settings.py) add the
floors (bench/proposals_floor_urls.py): bare views behind the same middleware and login doing the query
the request cannot avoid — the list's first page and count, one proposal's row, a session's counts by
status — with the same visibility and order (the set-up checks that the list floor answers the same ids
as the API's first page, and the detail floor the same proposal).

At each size (--small, then --proposals), one keep-alive client per kind of credential (the staff
member's session cookie for pages, their API token for the API) times in interleaved runs
(common.interleaved_runs: --runs runs of --requests requests of each case, the cases shuffled in every
run; p50 and p95 the medians over the runs): GET /api/v1/proposals, /api/v1/proposals/{id},
/proposals/, /proposals/{id}/, /proposals/stats/?session=<current> and the three floors, detail ids taken
in turn from a sample of the proposals staff see. CPU per request (common.CpuMeter): "app", the gunicorn
workers' CPU time from /proc/<pid>/stat before and after each batch divided by its requests; "db", the
PostgreSQL backends of the bench's database the same way (pg_stat_statements is not used: it needs
shared_preload_libraries). Each size runs "quiet", then "loaded" with a CPU hog beside the server (one
busy-loop process per core at --hog-nice, default 0). At the biggest size: the throughput of the API list
and detail with 1, 2 and 4 gunicorn processes (--clients clients for --seconds, the median of --tp-runs),
quiet and loaded; and the EXPLAIN (ANALYZE, BUFFERS) of the API list's count and page queries.

The API list's count and the statistics page's figures are kept (core.datacache: computed once per data
version, scope and filters; any committed write to the proposals' tables renews the version). Nothing is
written during the runs, so after each process's first request they are read from the cache; the cold path
is timed once per pass as its own row (each request after a new data version: COLD_LIST, reported, not
judged), and the markdown says so next to the throughput.

Targets (issue 16): API list and detail within 3× their floor, pages within 5× (p50 latency and CPU per
request, app + db, both), p95 <= 150 ms; on 2 cores 2 processes give >= 1.6× the requests/s of one.
Every figure that misses says **MISS**.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import proposals_bench as pb  # noqa: E402  (its generator and cached data)

P95_TARGET = 150.0
API_RATIO, PAGE_RATIO = 3.0, 5.0
SCALING_TARGET = 1.6  # 2 processes against 1, on 2 cores
FLOOR_SETTINGS = "bench.proposals_floor_settings"
LIST_FLOOR, DETAIL_FLOOR, STATS_FLOOR = (
    "floor: list (first page + count)",
    "floor: one proposal's row",
    "floor: a session's counts by status",
)


# =====================================================================================================
# Child (Django on the restored database)
# =====================================================================================================


def setup(n_ids: int, seed: int = 16) -> dict:
    """Migrate and analyse; the staff member's cookie and token; a sample of the proposals they see; the
    floors checked against the API; the EXPLAIN of the API list's count and page queries."""
    os.environ["DJANGO_SETTINGS_MODULE"] = FLOOR_SETTINGS
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhengxie.core.models import User
    from zhengxie.members.models import Session
    from zhengxie.proposals import selectors
    from zhengxie.proposals.models import Proposal

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    common.analyze(connection)
    prepare_s = time.perf_counter() - t0
    staff = User.objects.get(username="staff")
    who = {"staff": common.server_credentials(staff)}
    current = Session.objects.get(organisation_id=staff.organisation_id, is_current=True)
    visible = list(selectors.visible_proposals(staff).values_list("pk", flat=True))
    ids = random.Random(seed).sample(visible, min(n_ids, len(visible)))

    page = Client()
    page.force_login(staff)
    api = Client(headers={"Authorization": f"Bearer {who['staff']['token']}"})
    api_page = api.get("/api/v1/proposals").json()
    floor_page = page.get("/bench-floor/proposals/").json()
    api_one = api.get(f"/api/v1/proposals/{ids[0]}").json()
    floor_one = page.get(f"/bench-floor/proposals/{ids[0]}/").json()
    check = {
        "list_ids_equal": [x["id"] for x in api_page["items"]] == [x["id"] for x in floor_page["rows"]],
        "list_count_equal": api_page["count"] == floor_page["total"],
        "detail_equal": (api_one["id"], api_one["title"]) == (floor_one["id"], floor_one["title"]),
    }

    # The count is kept (core.datacache) and the checks above have just kept it: a new data version first,
    # so this request runs the cold count (as after any write) and its plan is the one EXPLAINed.
    from zhengxie.core import datacache

    datacache.bump("proposals")
    with CaptureQueriesContext(connection) as ctx:
        api.get("/api/v1/proposals")
    on_proposals = [
        q["sql"] for q in ctx.captured_queries if re.search(r'FROM "proposals_proposal"', q["sql"])
    ]
    count_sql = next((q for q in on_proposals if "COUNT(" in q), None)
    page_sql = next((q for q in on_proposals if " LIMIT " in q and "COUNT(" not in q), None)
    explain = {}
    for what, sql in (("count", count_sql), ("page", page_sql)):
        if sql is None:
            explain[what] = {"sql": None, "plan": "(no such statement in the request)", "seq_scan": False}
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cur.fetchall())
        explain[what] = {"sql": sql, "plan": plan, "seq_scan": "Seq Scan on proposals_proposal" in plan}
    out = {
        "who": who,
        "ids": ids,
        "session": current.pk,
        "visible": len(visible),
        "rows": Proposal.objects.count(),
        "check": check,
        "explain": explain,
        "queries": len(ctx.captured_queries),
        "prepare_s": prepare_s,
    }
    connection.close()
    return out


# =====================================================================================================
# Parent: the server, the runs
# =====================================================================================================


def cases(session: int) -> list[tuple]:
    """(label, who, kind, url, p95 target); "{id}" in a URL takes the sample's ids in turn."""
    stats = f"?session={session}"
    return [
        ("API list GET /api/v1/proposals", "staff", "api", "/api/v1/proposals", P95_TARGET),
        ("API detail GET /api/v1/proposals/{id}", "staff", "api", "/api/v1/proposals/{id}", P95_TARGET),
        ("list page /proposals/", "staff", "page", "/proposals/", P95_TARGET),
        ("detail page /proposals/{id}/", "staff", "page", "/proposals/{id}/", P95_TARGET),
        ("statistics page /proposals/stats/", "staff", "page", f"/proposals/stats/{stats}", P95_TARGET),
        (LIST_FLOOR, "staff", "page", "/bench-floor/proposals/", None),
        (DETAIL_FLOOR, "staff", "page", "/bench-floor/proposals/{id}/", None),
        (STATS_FLOOR, "staff", "page", f"/bench-floor/proposals/stats/{stats}", None),
    ]


# The API list's count is kept (core.datacache): the interleaved runs and the throughput read it from the
# cache after the first request of each process. This row times the cold path: each request right after a
# new data version (as after any committed write; the floor URL /bench-floor/touch/proposals/, untimed), so
# the count is recomputed. Its ratio to the floor is reported, not judged.
COLD_LIST = "API list GET /api/v1/proposals, count recomputed (after a write)"
REPORTED_ONLY = {COLD_LIST}

# request -> (its floor, the ratio it must keep to it)
FLOOR_OF = {
    COLD_LIST: (LIST_FLOOR, API_RATIO),
    "API list GET /api/v1/proposals": (LIST_FLOOR, API_RATIO),
    "API detail GET /api/v1/proposals/{id}": (DETAIL_FLOOR, API_RATIO),
    "list page /proposals/": (LIST_FLOOR, PAGE_RATIO),
    "detail page /proposals/{id}/": (DETAIL_FLOOR, PAGE_RATIO),
    "statistics page /proposals/stats/": (STATS_FLOOR, PAGE_RATIO),
}


def rotating(get, ids: list[int]):
    """get(who, kind, url) with "{id}" in the URL replaced by the next of `ids` (one turn per URL)."""
    turns: dict[str, itertools.cycle] = {}

    def wrapped(who, kind, url):
        if "{id}" in url:
            url = url.format(id=next(turns.setdefault(url, itertools.cycle(ids))))
        return get(who, kind, url)

    return wrapped


def cold_list(http, meter, n: int) -> dict:
    """COLD_LIST's row: n requests of the API list, each after a new data version; the CPU meter read
    around the timed request only."""
    secs, cpu = [], {}
    for _ in range(n):
        http.get("staff", "page", "/bench-floor/touch/proposals/")
        before = meter.read()
        t = time.perf_counter()
        http.get("staff", "api", "/api/v1/proposals")
        secs.append(time.perf_counter() - t)
        after = meter.read()
        for k in after:
            cpu[k] = cpu.get(k, 0.0) + (after[k] - before[k])
    s = common.summary_ms(secs)
    row = {
        "label": COLD_LIST,
        "url": "/api/v1/proposals",
        "target": None,
        "runs": 1,
        "per_run": n,
        "n": n,
        "p50": s["median"],
        "p95": s["p95"],
        "p95_worst": s["p95"],
        "cpu": 0.0,
    }
    row.update({f"cpu_{k}": v * 1000 / n for k, v in cpu.items()})
    common.log(f"  {COLD_LIST:<62} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  n {n}")
    return row


def server(url: str, tmp: Path, workers: int, threads: int) -> common.Server:
    s = common.Server(url, tmp, workers, threads, False)
    s.env["DJANGO_SETTINGS_MODULE"] = FLOOR_SETTINGS
    return s


def passes(args) -> list[str]:
    return ["quiet", "loaded"] if args.loaded else ["quiet"]


def hog(pass_name: str, args):
    """The CPU hog of the loaded pass (nothing for the quiet one)."""
    import contextlib

    return common.Hog(args.hog_nice) if pass_name == "loaded" else contextlib.nullcontext()


def latency_passes(url: str, dbname: str, tmp: Path, prep: dict, args) -> dict:
    out = {}
    cs = cases(prep["session"])
    with server(url, tmp, args.workers, args.threads) as srv:
        http = common.Clients(srv.port, prep["who"])
        get = rotating(http.get, prep["ids"])
        for _label, who, kind, u, _ in cs:  # every worker's imports, templates, connections
            for _ in range(args.workers * 2):
                get(who, kind, u)
        meter = common.CpuMeter(srv.pid, args.pg_url, dbname)
        try:
            for name in passes(args):
                with hog(name, args) as h:
                    load0 = common.load_avg()
                    common.log(f"  [{name}] {len(cs)} cases × {args.runs} runs, load {load0} ...")
                    rows = common.interleaved_runs(
                        cs,
                        get,
                        n_requests=args.requests,
                        n_runs=args.runs,
                        budget=args.budget,
                        seed=16,
                        meter=meter.read,
                    )
                    rows.append(cold_list(http, meter, args.requests))
                    out[name] = {
                        "rows": rows,
                        "load": [load0, common.load_avg()],
                        "hog_nice": getattr(h, "niceness", None),
                        "backends_ended": meter.ended,
                    }
        finally:
            meter.close()
        out["server_tracebacks"] = srv.log_facts()["tracebacks"]
    return out


def throughput_part(url: str, tmp: Path, prep: dict, args) -> dict:
    """Requests/s of the API list and detail with 1, 2 and 4 processes. The servers run side by side (an idle
    one costs no CPU) and each run times every process count in turn: a server started after the others
    measured its runs under the load they left (one process gave 77 and 62 req/s in two runs), and
    interleaved runs compare the counts under the same conditions."""
    paths = {
        "API list": ["/api/v1/proposals"],
        "API detail": [f"/api/v1/proposals/{i}" for i in prep["ids"]],
    }
    out: dict = {name: {kind: {} for kind in paths} for name in passes(args)}
    with contextlib.ExitStack() as stack:
        servers = {}
        for workers in args.tp_workers:
            where = tmp / f"throughput-{workers}"
            where.mkdir(exist_ok=True)
            servers[workers] = stack.enter_context(server(url, where, workers, args.threads))
        for srv in servers.values():
            for p in paths.values():  # warm-up: every process answers before the timed runs
                common.throughput(srv.port, prep["who"], p, "staff", args.clients, 3.0)
        for name in passes(args):
            runs: dict = {kind: {w: [] for w in servers} for kind in paths}
            with hog(name, args):
                for _ in range(args.tp_runs):
                    for kind, p in paths.items():
                        for workers, srv in servers.items():
                            runs[kind][workers].append(
                                common.throughput(
                                    srv.port, prep["who"], p, "staff", args.clients, args.seconds
                                )
                            )
            for kind, by_workers in runs.items():
                for workers, rs in by_workers.items():
                    out[name][kind][workers] = {"rps": statistics.median(r["rps"] for r in rs), "runs": rs}
                    common.log(
                        f"  [{name}] {kind}, {workers} process(es): {out[name][kind][workers]['rps']:.1f} req/s "
                        f"(load {rs[0]['load'][0]} → {rs[-1]['load'][1]})"
                    )
    return out


def run_size(n: int, args, biggest: bool) -> dict:
    out: dict = {"n": n}
    with tempfile.TemporaryDirectory(prefix="zx-srv-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        dbname = f"zx_srv_{os.getpid()}_{n}"
        try:
            url, gen = common.cached_pg_db(
                pb._cache_name(n),
                pb._generate(n),
                args.pg_url,
                dbname,
                tmp,
                args.fresh,
                common.log,
                f"{n:,} proposals",
            )
            out["generation"] = gen
            prep = common.child_json(
                __file__, "setup", url, ["--requests", str(args.requests)], tmp / "setup.json"
            )
            out["setup"] = {k: v for k, v in prep.items() if k != "who"}
            if not all(prep["check"].values()):
                common.log(f"  floors differ from the API: {prep['check']}")
            out["load_start"] = common.load_avg()
            out["passes"] = latency_passes(url, dbname, tmp, prep, args)
            if biggest and args.throughput:
                out["throughput"] = throughput_part(url, tmp, prep, args)
            out["load_end"] = common.load_avg()
        finally:
            common.pg_drop(args.pg_url, dbname)
    return out


# =====================================================================================================
# Verdicts and report
# =====================================================================================================


def _cpu(row: dict) -> float:
    return row.get("cpu_app", 0.0) + row.get("cpu_db", 0.0)


def ratios(rows: list[dict]) -> dict:
    """{request label: {floor, target, p50, p95, cpu}} — each figure as a multiple of its floor's."""
    by = {r["label"]: r for r in rows}
    out = {}
    for label, (floor, target) in FLOOR_OF.items():
        r, f = by.get(label), by.get(floor)
        if not r or not f:
            continue
        out[label] = {
            "floor": floor,
            "target": target,
            "p50": r["p50"] / f["p50"] if f["p50"] else float("nan"),
            "p95": r["p95"] / f["p95"] if f["p95"] else float("nan"),
            "cpu": _cpu(r) / _cpu(f) if _cpu(f) else float("nan"),
        }
    return out


def verdict(ok: bool) -> str:
    return "pass" if ok else "**MISS**"


def verdicts(runs: list[dict]) -> list[list[str]]:
    """Summary rows (what, engine, figure, target, verdict) for bench/RESULTS.md's summary."""
    found = []
    for run in runs:
        for name, p in run["passes"].items():
            if not isinstance(p, dict) or "rows" not in p:
                continue
            x = ratios(p["rows"])
            for r in p["rows"]:
                if r["target"] is None:
                    continue
                where = f"{r['label']} @{run['n']:,} ({name})"
                found.append(
                    [
                        f"serverbench: {where} p95",
                        "postgresql",
                        f"{r['p95']:.1f}",
                        f"<= {r['target']:.0f}",
                    ]
                    + [verdict(r["p95"] <= r["target"])]
                )
                q = x.get(r["label"])
                if q:
                    ok = q["p50"] <= q["target"] and q["cpu"] <= q["target"]
                    found.append(
                        [
                            f"serverbench: {where} × floor (p50 / CPU)",
                            "postgresql",
                            f"{q['p50']:.1f} / {q['cpu']:.1f}",
                            f"<= {q['target']:.0f}",
                            verdict(ok),
                        ]
                    )
        tp = (run.get("throughput") or {}).get("quiet") or {}
        for kind, by_w in tp.items():
            one, two = by_w.get(1) or by_w.get("1"), by_w.get(2) or by_w.get("2")
            if one and two and one["rps"]:
                s = two["rps"] / one["rps"]
                found.append(
                    [
                        f"serverbench: {kind} throughput, 2 processes / 1 @{run['n']:,}",
                        "postgresql",
                        f"{s:.2f}",
                        f">= {SCALING_TARGET}",
                        verdict(s >= SCALING_TARGET),
                    ]
                )
    return found


def _num(x: float) -> str:
    return "—" if x != x else f"{x:.1f}"


def markdown(runs: list[dict], args, facts: dict) -> str:
    parts = [
        f"`bench/proposals_server_bench.py` (issue 16), measured as an outsider would: PostgreSQL "
        f"{facts['pg']} at {facts['pg_host']}; gunicorn as `make run` starts it (deploy/gunicorn.conf.py, "
        f"gthread, **{args.workers} worker processes × {args.threads} threads**, DEBUG off, CONN_MAX_AGE as "
        f"configured); bench/proposals_bench.py's generated data (restored from its cached pg_dump, migrated, "
        f"VACUUM ANALYZE). Machine: {facts['machine']}. One keep-alive client per credential (the staff "
        f"member 'staff': session cookie for pages, API token for the API), requests one after another; "
        f"**p50 and p95 are the medians of {args.runs} interleaved runs** of up to {args.requests} requests of "
        f"each case (worst run's p95 beside). CPU per request: *app* = the gunicorn workers' CPU time "
        f"(/proc/<pid>/stat, all threads) over each batch divided by its requests; *db* = the PostgreSQL "
        f"backends of the bench's database the same way (/proc/<pid>/stat; pg_stat_statements is not used: "
        f"it needs shared_preload_libraries) — a backend that ends inside a batch loses its last share, so "
        f"*db* is a lower bound (backends ended: counted below). The *floors* (bench/proposals_floor_urls.py) "
        f"are bare views behind the same middleware and login doing the one query the request cannot avoid "
        f"(plus the subtree's organisation ids): the list's first page and count in the list's order, one "
        f"proposal's row, a session's counts by status. Targets: API list and detail ≤ {API_RATIO:g}× their "
        f"floor, pages ≤ {PAGE_RATIO:g}× (both the p50 and the CPU ratio), every p95 ≤ {P95_TARGET:g} ms, "
        f"quiet and loaded (a CPU hog beside: one busy-loop process per core, nice "
        f"{facts.get('hog_nice', args.hog_nice)}); 2 processes ≥ {SCALING_TARGET}× the requests/s of 1."
    ]
    for run in runs:
        st = run["setup"]
        gen = run.get("generation") or {}
        c = st["check"]
        parts.append(
            f"### {run['n']:,} proposals\n\n"
            f"{st['rows']:,} proposals in the database, {st['visible']:,} visible to staff; "
            + (
                f"data restored from the cached dump in {gen.get('restore_s', 0):.0f} s; "
                if gen.get("cached")
                else "data generated by proposals_bench.py's generator (and dumped for the next run); "
            )
            + f"migrate + VACUUM ANALYZE {st['prepare_s']:.0f} s. Floors against the API: list first page "
            f"{'same ids' if c['list_ids_equal'] else '**different ids**'}, count "
            f"{'equal' if c['list_count_equal'] else '**different**'}, detail "
            f"{'same proposal' if c['detail_equal'] else '**different**'}. The API list ran {st['queries']} "
            f"SQL queries. Load average {run['load_start']} at the start, {run['load_end']} at the end."
        )
        for name, p in run["passes"].items():
            if not isinstance(p, dict) or "rows" not in p:
                continue
            x = ratios(p["rows"])
            rows = []
            for r in p["rows"]:
                q = x.get(r["label"])
                ratio_ok = q is not None and q["p50"] <= q["target"] and q["cpu"] <= q["target"]
                if r["label"] in REPORTED_ONLY:
                    target, judged = "(reported, not judged)", ""
                else:
                    target = f"≤ {q['target']:g}× · p95 ≤ {r['target']:.0f}" if q else ""
                    judged = (
                        f"{verdict(ratio_ok)} · {verdict(r['p95'] <= r['target'])}"
                        if q
                        else ("" if r["target"] is None else verdict(r["p95"] <= r["target"]))
                    )
                rows.append(
                    [
                        r["label"],
                        f"{r['n']} ({r['runs']})",
                        r["p50"],
                        r["p95"],
                        r["p95_worst"],
                        r.get("cpu_app", float("nan")),
                        r.get("cpu_db", float("nan")),
                        f"{_num(q['p50'])} / {_num(q['p95'])} / {_num(q['cpu'])}" if q else "",
                        target,
                        judged,
                    ]
                )
            hog_note = f", a hog per core at nice {p['hog_nice']}" if p.get("hog_nice") is not None else ""
            parts.append(
                f"**{name}**{hog_note} — load average {p['load'][0]} → {p['load'][1]}; PostgreSQL backends "
                f"ended during the runs: {p['backends_ended']}.\n\n"
                + common.md_table(
                    [
                        "request",
                        "n (runs)",
                        "p50 ms",
                        "p95 ms",
                        "worst p95",
                        "app CPU ms",
                        "db CPU ms",
                        "× floor (p50 / p95 / CPU)",
                        "target",
                        "ratio · p95",
                    ],
                    rows,
                )
            )
        tp = run.get("throughput")
        if tp:
            lines = []
            for name, kinds in tp.items():
                for kind, by_w in kinds.items():
                    one = by_w[min(by_w)]["rps"] if by_w else 0
                    cells = []
                    for w, v in by_w.items():
                        loads = "; ".join(f"{r['load'][0]} → {r['load'][1]}" for r in v["runs"])
                        errs = sum(r["errors"] for r in v["runs"])
                        cells.append(
                            f"{w} process(es) {v['rps']:.1f} req/s ({v['rps'] / one:.2f}×; load {loads}"
                            + (f"; **{errs} errors**" if errs else "")
                            + ")"
                        )
                    two = by_w.get(2)
                    mark = ""
                    if two and one and name == "quiet":
                        mark = f" — 2/1 = {two['rps'] / one:.2f}, target ≥ {SCALING_TARGET}: {verdict(two['rps'] / one >= SCALING_TARGET)}"
                    lines.append(f"- {name}, {kind}: " + "; ".join(cells) + mark)
            parts.append(
                f"Throughput ({args.clients} clients for {args.seconds:g} s, median of {args.tp_runs} runs; the "
                f"servers of {', '.join(map(str, args.tp_workers))} processes run side by side and each run times "
                f"them in turn; {args.threads} threads per process, {os.cpu_count()} cores; the 2/1 target is judged on the "
                "quiet pass). The API list's count is kept (core.datacache, per data version and scope): "
                "nothing is written during these runs, so each process counts once and then reads the "
                "count from the cache — this is the list as read between writes; its cold path (the count "
                f"recomputed after a write) is the row «{COLD_LIST}» of the tables above:\n\n"
                + "\n".join(lines)
            )
    big = runs[-1] if runs else None
    if big:
        ex = big["setup"]["explain"]
        blocks = []
        for what in ("count", "page"):
            e = ex[what]
            seq = " — **a sequential scan of proposals**" if e["seq_scan"] else ""
            blocks.append(
                f"The API list's {what} query at {big['n']:,} proposals"
                + (
                    " (cold: the count run after a write, when the kept one is renewed)"
                    if what == "count"
                    else ""
                )
                + f"{seq}:\n\n"
                + (f"```sql\n{e['sql']}\n```\n\n" if e["sql"] else "")
                + f"```\n{e['plan']}\n```"
            )
        parts.append("EXPLAIN (ANALYZE, BUFFERS), staff, first page:\n\n" + "\n\n".join(blocks))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p, engine="postgresql", pg_url=common.DEFAULT_PG)
    p.add_argument("--proposals", type=int, default=100_000, help="the big size")
    p.add_argument("--small", type=int, default=1_000, help="the small size")
    p.add_argument("--requests", type=int, default=30, help="requests of each case per run")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--budget", type=float, default=15.0, help="seconds per case and run")
    p.add_argument("--workers", type=int, default=3, help="gunicorn processes (make run: 3)")
    p.add_argument("--threads", type=int, default=4, help="threads per process (deploy/gunicorn.conf.py: 4)")
    p.add_argument("--clients", type=int, default=8, help="throughput: concurrent clients")
    p.add_argument("--seconds", type=float, default=8.0, help="throughput: seconds per run")
    p.add_argument("--tp-runs", type=int, default=3)
    p.add_argument("--tp-workers", default="1,2,4")
    p.add_argument("--no-throughput", dest="throughput", action="store_false")
    p.add_argument("--no-loaded", dest="loaded", action="store_false", help="no pass with a CPU hog")
    p.add_argument("--hog-nice", type=int, default=0, help="niceness of the hog's processes")
    p.add_argument("--child", choices=["setup"])
    args = p.parse_args()
    if common.child_mode(args, {"setup": lambda: setup(args.requests)}):
        return
    args.tp_workers = [int(x) for x in args.tp_workers.split(",") if x.strip()]
    if not common.pg_reachable(args.pg_url):
        sys.exit(f"PostgreSQL not reachable at {args.pg_url}")
    facts = {
        "machine": common.machine(),
        "pg": common.pg_version(args.pg_url),
        "pg_host": common.pg_base(args.pg_url).split("@")[-1],
        "hog_nice": args.hog_nice,
    }
    sizes = sorted({args.small, args.proposals})
    runs = []
    for n in sizes:
        t0 = time.perf_counter()
        common.log(f"[postgresql] {n:,} proposals, load {common.load_avg()} ...")
        runs.append(run_size(n, args, n == sizes[-1]))
        common.log(f"[postgresql] {n:,} proposals done in {time.perf_counter() - t0:.0f} s")
    for run in runs:
        for pas in run["passes"].values():
            if isinstance(pas, dict) and pas.get("hog_nice") is not None:
                facts["hog_nice"] = pas["hog_nice"]
    text = markdown(runs, args, facts)
    data = {"facts": facts, "runs": runs, "verdicts": verdicts(runs)}
    common.write_outputs(args, json.loads(json.dumps(data, default=str)), text)


if __name__ == "__main__":
    main()
