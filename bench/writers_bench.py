"""Concurrent writers behind the production server: 50 members each draft and submit 10 proposals at once.

    .venv/bin/python bench/writers_bench.py                        # SQLite (a copy of a cached demo file)
    .venv/bin/python bench/writers_bench.py --engine postgresql    # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/writers_bench.py --engine both --json out.json --markdown out.md

The server is what `make run` starts: gunicorn with deploy/gunicorn.conf.py (--workers processes ×
--threads threads, default 3 × 4), DEBUG off, the database task queue (TASKS_BACKEND=database, so every
notification's hand-over really writes to the queue table) and its worker (`manage.py db_worker`, which
sends the owed e-mails to the console backend, writing as it goes). The data: the demo world
(`loaddemo --members 60`; SQLite: generated once into bench/data/, each run works on a copy; PostgreSQL:
a throw-away database zx_writers_<pid>, dropped afterwards), migrated before the run; the set-up gives
--writers active members (of organisations with a current session) an API token.

After a warm-up (a search on each server thread: a fresh process loads the segmenter's dictionary once),
each of --writers client threads (http.client, one keep-alive connection each) waits at a barrier, then
does --rounds × (POST /api/v1/proposals an individual draft, POST /api/v1/proposals/{id}/submit).
--runs runs per engine on the same server. Reported per engine: requests, answers by status, p50/p95/max latency of each kind of request,
throughput, and the hard facts: errors (any answer but 201/200) and lost writes — a draft or submission
the client was told succeeded but that the database does not hold (not created / not submitted), or one
the client was told failed that the database holds (committed). Targets (issue 16): 0 errors, 0 lost.
Also the notifications the submissions owe (e-mail to the proposal office): how many the worker had not
yet sent --drain seconds after the last answer, and any queue hand-over failure the server logged.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DATA_VERSION = 1  # bump when the generated data change (the cached file is keyed by it)
DEMO_MEMBERS = 60
TITLE = "关于加强社区居家养老服务的建议"
REASONS = "我市老龄化程度不断加深，社区居家养老服务设施不足，专业护理人员短缺，难以满足老年人的服务需求。"
SUGGESTIONS = "一是增加社区养老服务站点；二是加强养老护理人员培训；三是完善居家养老服务补贴制度。"


# =====================================================================================================
# Child processes (Django on the prepared database)
# =====================================================================================================


def generate() -> dict:
    common.setup_django()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddemo", members=DEMO_MEMBERS, verbosity=0)
    return {"generate_s": time.perf_counter() - t0, "demo_members": DEMO_MEMBERS}


def setup(n_writers: int) -> dict:
    """Migrate; an API token and a valid category for each of n_writers distinct active members."""
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from zhengxie.core import orgsettings
    from zhengxie.core.models import ApiToken
    from zhengxie.members.models import Member, Session
    from zhengxie.proposals.models import Proposal

    current = set(Session.objects.filter(is_current=True).values_list("organisation_id", flat=True))
    members = [
        m
        for m in Member.objects.filter(status=Member.Status.ACTIVE, user__is_active=True)
        .select_related("user", "user__organisation")
        .order_by("pk")
        if m.user.organisation_id and m.user.organisation.committee.pk in current
    ][:n_writers]
    if len(members) < n_writers:
        raise SystemExit(f"only {len(members)} active members with a current session, {n_writers} wanted")
    writers = []
    for m in members:
        u = m.user
        u.password_changed_at = timezone.now()  # a cached file may be older than the password expiry
        u.save(update_fields=["password_changed_at"])
        org = u.organisation.committee
        writers.append(
            {
                "user_id": u.pk,
                "token": ApiToken.issue(u),
                "category": list(orgsettings.get(org, "proposals.categories"))[0],
                "organisation": org.pk,
            }
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    info = {
        "proposals_before": Proposal.objects.count(),
        "organisations": len({w["organisation"] for w in writers}),
    }
    connection.close()
    return {"writers": writers, "info": info}


def verify(tag: str) -> dict:
    """What the database holds of this run: every proposal whose title starts with `tag`, and the owed
    e-mail/SMS of the notifications about them."""
    common.setup_django()
    from django.db import connection
    from django.db.models import Q

    from zhengxie.core.models import Notification
    from zhengxie.proposals.models import Proposal

    rows = list(Proposal.objects.filter(title__startswith=tag).values_list("pk", "title", "status"))
    urls = [f"/proposals/{pk}/" for pk, _, _ in rows]
    notes = Notification.objects.filter(url__in=urls)
    out = {
        "proposals": [{"id": pk, "title": t, "status": s} for pk, t, s in rows],
        "notifications": notes.count(),
        "notifications_owed": notes.filter(Q(email_pending=True) | Q(sms_pending=True)).count(),
    }
    try:
        from django_tasks_db.models import DBTaskResult

        out["tasks"] = dict(Counter(DBTaskResult.objects.values_list("status", flat=True)))
    except Exception as exc:  # the queue's model moved: leave the figure out
        out["tasks"] = {"?": repr(exc)}
    connection.close()
    return out


# =====================================================================================================
# The server
# =====================================================================================================


# gunicorn as `make run` starts it: common.Server (hall_bench.py and public_bench.py use it as wb.Server).
Server, free_port, server_env = common.Server, common.free_port, common.server_env


# =====================================================================================================
# The clients
# =====================================================================================================


def writer(port: int, w: dict, n: int, tag: str, rounds: int, barrier: threading.Barrier, out: list):
    """One member: `rounds` × (draft, submit) on one keep-alive connection; each answer into `out`."""
    headers = {"Authorization": f"Bearer {w['token']}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)

    def post(path: str, body: dict | None) -> tuple[int | str, dict, float]:
        nonlocal conn
        t = time.perf_counter()
        try:
            conn.request("POST", path, body=json.dumps(body or {}).encode(), headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            status: int | str = resp.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
            return type(exc).__name__, {}, time.perf_counter() - t
        elapsed = time.perf_counter() - t
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode(errors="replace")}
        return status, data if isinstance(data, dict) else {}, elapsed

    barrier.wait()
    for i in range(rounds):
        title = f"{tag}-{n:02d}-{i:02d} {TITLE}"
        payload = {
            "title": title,
            "reasons": REASONS,
            "suggestions": SUGGESTIONS,
            "category": w["category"],
            "kind": "individual",
        }
        status, data, secs = post("/api/v1/proposals", payload)
        pk = data.get("id") if status == 201 else None
        out.append(
            {"op": "draft", "title": title, "status": status, "secs": secs, "id": pk, "detail": _detail(data)}
        )
        if pk is None:
            continue
        status, data, secs = post(f"/api/v1/proposals/{pk}/submit", None)
        ok = status == 200 and data.get("status") == "submitted"
        out.append(
            {
                "op": "submit",
                "title": title,
                "status": status,
                "secs": secs,
                "id": pk,
                "ok": ok,
                "detail": _detail(data),
            }
        )
    conn.close()


def warm_up(port: int, writers: list[dict], n: int) -> None:
    """A search request on each server thread, more or less: the first one in a process loads the
    segmenter's dictionary (seconds), which a server that has been up a while has long done."""

    def get(w):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for _ in range(2):
            c.request(
                "GET",
                "/api/v1/proposals?q=%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1",
                headers={"Authorization": f"Bearer {w['token']}"},
            )
            c.getresponse().read()
        c.close()

    threads = [threading.Thread(target=get, args=(writers[i % len(writers)],)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _detail(data: dict) -> str:
    return str(data.get("detail") or data.get("code") or data.get("raw") or "")[:160]


def load_avg() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


class LockWaits(threading.Thread):
    """PostgreSQL: every half second, the sessions of the bench's database that wait on a lock, by kind
    (advisory, transactionid, tuple ...): what serialises the writers, if anything does."""

    def __init__(self, url: str | None):
        super().__init__(daemon=True)
        self.url, self.samples, self.waits = url, 0, Counter()
        self.stop = threading.Event()

    def run(self):
        if not self.url:
            return
        import psycopg

        name = self.url.rsplit("/", 1)[1]
        with psycopg.connect(f"{common.pg_base(self.url)}/postgres", autocommit=True) as conn:
            while not self.stop.wait(0.5):
                rows = conn.execute(
                    "SELECT wait_event FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [name],
                ).fetchall()
                self.samples += 1
                self.waits.update(r[0] for r in rows)

    def result(self) -> dict:
        self.stop.set()
        self.join(5)
        return {k: round(v / self.samples, 2) for k, v in self.waits.items()} if self.samples else {}


def hammer(port: int, writers: list[dict], rounds: int, tag: str, pg_url: str | None = None) -> dict:
    answers: list[dict] = []
    lock_waits = LockWaits(pg_url)
    barrier = threading.Barrier(len(writers) + 1)
    threads = [
        threading.Thread(target=writer, args=(port, w, n, tag, rounds, barrier, answers), daemon=True)
        for n, w in enumerate(writers)
    ]
    for t in threads:
        t.start()
    load_start = load_avg()
    lock_waits.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "answers": answers,
        "wall_s": wall,
        "load_start": load_start,
        "load_end": load_avg(),
        "lock_waits": lock_waits.result(),
    }


def account(answers: list[dict], db: dict) -> dict:
    """Compare what the clients were told with what the database holds."""
    held = {p["title"]: p for p in db["proposals"]}
    drafts = [a for a in answers if a["op"] == "draft"]
    submits = {a["title"]: a for a in answers if a["op"] == "submit"}
    lost, phantom = [], []
    for d in drafts:
        row = held.get(d["title"])
        if d["status"] == 201:
            if row is None:
                lost.append(f"draft {d['title']} answered 201, not in the database")
            s = submits.get(d["title"])
            if s is None:
                continue
            submitted = row is not None and row["status"] == "submitted"
            if s["ok"] and not submitted:
                lost.append(f"submit of {d['title']} answered 200, the database has {row and row['status']}")
            elif not s["ok"] and submitted:
                phantom.append(f"submit of {d['title']} answered {s['status']}, committed in the database")
        elif row is not None:
            phantom.append(f"draft {d['title']} answered {d['status']}, committed in the database")
    return {"lost": lost, "phantom": phantom}


def figures(run: dict) -> dict:
    answers = run["answers"]
    statuses = Counter(str(a["status"]) for a in answers)
    errors = [a for a in answers if a["status"] not in (200, 201) or (a["op"] == "submit" and not a["ok"])]
    by_op = {}
    for op in ("draft", "submit"):
        secs = [a["secs"] for a in answers if a["op"] == op]
        if secs:
            s = common.summary_ms(secs)
            s["p50"] = statistics.median(x * 1000 for x in secs)
            by_op[op] = s
    all_secs = [a["secs"] for a in answers]
    overall = common.summary_ms(all_secs) if all_secs else {}
    if all_secs:
        overall["p50"] = statistics.median(x * 1000 for x in all_secs)
    samples = Counter(f"{a['op']} {a['status']}: {a['detail']}" for a in errors)
    return {
        "requests": len(answers),
        "statuses": dict(statuses),
        "errors": len(errors),
        "error_samples": samples.most_common(6),
        "by_op": by_op,
        "overall": overall,
        "throughput": len(answers) / run["wall_s"] if run["wall_s"] else 0.0,
        "submitted_per_s": sum(1 for a in answers if a["op"] == "submit" and a.get("ok")) / run["wall_s"],
    }


# =====================================================================================================
# Driver
# =====================================================================================================


def _child(mode: str, url: str, extra: list[str], out: Path) -> dict:
    common.run_child(Path(__file__), ["--child", mode, "--out", str(out), *extra], env={"DATABASE_URL": url})
    return json.loads(out.read_text())


def run_engine(engine: str, args, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="zx-writers-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)

        def gen(url, out):
            return _child("generate", url, [], out)

        pg_name = f"zx_writers_{os.getpid()}"
        cache = f"writers-demo-v{DATA_VERSION}"
        if engine == "sqlite":
            db_file, gen_info = common.cached_sqlite_db(cache, gen, tmp, args.fresh, log, "the demo world")
            url = f"sqlite:///{db_file}"
        else:
            url, gen_info = common.cached_pg_db(
                cache, gen, args.pg_url, pg_name, tmp, args.fresh, log, "the demo world"
            )
        try:
            log(f"[{engine}] set-up: migrate, {args.writers} API tokens ...")
            prepared = _child("setup", url, ["--writers", str(args.writers)], tmp / "setup.json")
            log(f"[{engine}] gunicorn {args.workers} workers × {args.threads} threads ...")
            runs = []
            with Server(url, tmp, args.workers, args.threads, not args.no_task_worker) as server:
                warm_up(server.port, prepared["writers"], args.workers * args.threads)
                for n in range(args.runs):
                    tag = f"WB{os.getpid()}x{n}x{int(time.time()) % 100000}"
                    log(
                        f"[{engine}] run {n + 1}/{args.runs}: {args.writers} writers × {args.rounds} "
                        f"(draft + submit), load {load_avg()} ..."
                    )
                    run = hammer(
                        server.port,
                        prepared["writers"],
                        args.rounds,
                        tag,
                        url if engine == "postgresql" else None,
                    )
                    log(f"[{engine}] done in {run['wall_s']:.1f} s; letting the task worker drain ...")
                    db = _child("verify", url, ["--tag", tag], tmp / "verify.json")
                    drained = time.perf_counter()
                    while db["notifications_owed"] and time.perf_counter() - drained < args.drain:
                        time.sleep(3)
                        db = _child("verify", url, ["--tag", tag], tmp / "verify.json")
                    one = {
                        "wall_s": run["wall_s"],
                        "load_start": run["load_start"],
                        "load_end": run["load_end"],
                        "lock_waits": run["lock_waits"],
                        "db": {k: v for k, v in db.items() if k != "proposals"},
                        "in_db": Counter(p["status"] for p in db["proposals"]),
                        **figures(run),
                        **account(run["answers"], db),
                    }
                    runs.append(one)
                    log(
                        f"[{engine}]   requests {one['requests']}  errors {one['errors']} {one['statuses']}  "
                        f"lost {len(one['lost'])}  told-failed-but-committed {len(one['phantom'])}  "
                        f"p50 {one['overall'].get('p50', 0):.0f} ms  p95 {one['overall'].get('p95', 0):.0f} ms  "
                        f"max {one['overall'].get('max', 0):.0f} ms  {one['throughput']:.1f} req/s  "
                        f"load {one['load_start']} -> {one['load_end']}"
                    )
                    for sample, count in one["error_samples"]:
                        log(f"[{engine}]     {count} × {sample}")
                logs = server.log_facts()
                if logs["tracebacks"]:
                    text = server.log_path.read_text(errors="replace")
                    first = text.find("Traceback")
                    logs["first_traceback"] = text[first : first + 4000]
                    log(f"[{engine}] first traceback in the server log:\n{logs['first_traceback']}")
        finally:
            if engine == "postgresql":
                common.pg_drop(args.pg_url, pg_name)
    return {
        "engine": engine,
        "writers": args.writers,
        "rounds": args.rounds,
        "workers": args.workers,
        "threads": args.threads,
        "task_worker": not args.no_task_worker,
        "gen": gen_info,
        "info": prepared["info"],
        "logs": logs,
        "runs": runs,
        **combined(runs),
    }


def combined(runs: list[dict]) -> dict:
    """The runs together: counts summed, latencies and throughput the median of the runs, max the worst."""

    def med(get):
        vals = [v for v in (get(r) for r in runs) if v is not None]
        return statistics.median(vals) if vals else float("nan")

    statuses: Counter = Counter()
    samples: Counter = Counter()
    for r in runs:
        statuses.update(r["statuses"])
        samples.update({s: c for s, c in r["error_samples"]})
    by_op = {}
    for op in ("draft", "submit"):
        per = [r["by_op"][op] for r in runs if op in r["by_op"]]
        if per:
            by_op[op] = {
                "p50": statistics.median(x["p50"] for x in per),
                "p95": statistics.median(x["p95"] for x in per),
                "max": max(x["max"] for x in per),
            }
    return {
        "requests": sum(r["requests"] for r in runs),
        "statuses": dict(statuses),
        "errors": sum(r["errors"] for r in runs),
        "error_samples": samples.most_common(6),
        "lost": [x for r in runs for x in r["lost"]],
        "phantom": [x for r in runs for x in r["phantom"]],
        "by_op": by_op,
        "max": max(r["overall"].get("max", 0) for r in runs),
        "throughput": med(lambda r: r["throughput"]),
        "load_start": runs[0]["load_start"],
        "load_end": runs[-1]["load_end"],
    }


def markdown(engines: list[dict]) -> str:
    if not engines:
        return "Not measured.\n"
    e0 = engines[0]
    rows, per_run = [], []
    for e in engines:
        lost = len(e["lost"]) + len(e["phantom"])
        rows.append(
            [
                e["engine"],
                len(e["runs"]),
                e["requests"],
                ", ".join(f"{k}: {v}" for k, v in sorted(e["statuses"].items())),
                f"**{e['errors']}**" if e["errors"] else "0",
                f"**{lost}**" if lost else "0",
                e["by_op"].get("draft", {}).get("p50", float("nan")),
                e["by_op"].get("draft", {}).get("p95", float("nan")),
                e["by_op"].get("submit", {}).get("p50", float("nan")),
                e["by_op"].get("submit", {}).get("p95", float("nan")),
                e["max"],
                f"{e['throughput']:.1f}",
                "pass" if not e["errors"] and not lost else "**MISS**",
            ]
        )
        for n, r in enumerate(e["runs"], 1):
            per_run.append(
                [
                    e["engine"],
                    n,
                    f"{r['wall_s']:.0f}",
                    r["errors"],
                    len(r["lost"]) + len(r["phantom"]),
                    ", ".join(f"{v} {k}" for k, v in sorted(r["in_db"].items())),
                    r["overall"].get("p50", float("nan")),
                    r["overall"].get("p95", float("nan")),
                    r["overall"].get("max", float("nan")),
                    f"{r['throughput']:.1f}",
                    f"{r['db']['notifications']} / {r['db']['notifications_owed']}",
                    f"{r['load_start']} → {r['load_end']}",
                ]
            )
    text = (
        f"`bench/writers_bench.py`: {e0['writers']} members (distinct users, API tokens), all released at "
        f"once by a barrier, each doing {e0['rounds']} × (POST /api/v1/proposals an individual draft, then "
        "POST /api/v1/proposals/{id}/submit) over its own keep-alive connection, against `make run`'s "
        f"server: gunicorn with deploy/gunicorn.conf.py, {e0['workers']} worker processes × "
        f"{e0['threads']} threads, DEBUG off, the database task queue"
        + (" and its worker (`manage.py db_worker`)" if e0["task_worker"] else " (no task worker)")
        + ", on the demo world (SQLite: a copy of a migrated demo file, WAL; PostgreSQL: a throw-away "
        "database). Target (issue 16): 0 errors and 0 lost writes on both engines. *Lost* counts both "
        "ways: a draft or submission answered as done that the database does not hold as done, and one "
        "answered as failed that the database committed. Latencies in ms as the client sees them "
        "(queueing for a server thread included): p50/p95 the median of the runs, max the worst. The "
        "machine is shared and loaded (2 cores, other jobs running; load averages below), so latency and "
        "throughput are indicative only — errors and lost writes are facts.\n\n"
        + common.md_table(
            [
                "engine",
                "runs",
                "requests",
                "answers",
                "errors",
                "lost",
                "draft p50",
                "draft p95",
                "submit p50",
                "submit p95",
                "max",
                "req/s",
                "",
            ],
            rows,
        )
        + "\n\nEach run:\n\n"
        + common.md_table(
            [
                "engine",
                "run",
                "s",
                "errors",
                "lost",
                "in the database",
                "p50",
                "p95",
                "max",
                "req/s",
                "notifications / e-mails still owed",
                "load average start → end",
            ],
            per_run,
        )
    )
    notes = []
    for e in engines:
        logs = e["logs"]
        notes.append(
            f"{e['engine']}: "
            + (
                f"time inside gunicorn (its access log; the rest of a client's wait is queueing for one of "
                f"the {e['workers'] * e['threads']} threads) median {logs['server_ms']['median']:.0f} ms, "
                f"p95 {logs['server_ms']['p95']:.0f} ms, max {logs['server_ms']['max']:.0f} ms; "
                if logs.get("server_ms")
                else ""
            )
            + (
                "sessions waiting on a lock at any moment (mean of samples every 0.5 s, by run): "
                + "; ".join(
                    ", ".join(f"{v} {k}" for k, v in sorted(r["lock_waits"].items())) or "none"
                    for r in e["runs"]
                )
                + "; "
                if e["engine"] == "postgresql"
                else ""
            )
            + f"the server log has {logs['tracebacks']} tracebacks ({logs['locked']} 'database is locked', "
            f"{logs['deadlock']} deadlocks, {logs['serialization']} serialisation failures) and "
            f"{logs['enqueue_failed']} failed notification hand-overs; the task worker's log "
            f"{logs['worker_tracebacks']} tracebacks."
        )
        for sample, count in e["error_samples"]:
            notes.append(f"{e['engine']}: {count} × {sample}")
        for line in (e["lost"] + e["phantom"])[:5]:
            notes.append(f"{e['engine']}: {line}")
    return text + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default=None)
    p.add_argument("--writers", type=int, default=50)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--runs", type=int, default=2, help="runs per engine (on the same server and database)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (make run: 3)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (deploy/gunicorn.conf.py: 4)")
    p.add_argument("--no-task-worker", action="store_true", help="do not run manage.py db_worker")
    p.add_argument("--drain", type=float, default=60, help="seconds to wait for the owed e-mails to go out")
    p.add_argument("--pg-url", default=None)
    p.add_argument("--fresh", action="store_true", help="regenerate the cached demo data")
    p.add_argument("--json")
    p.add_argument("--markdown")
    p.add_argument("--tmpdir", default=None)
    p.add_argument("--child", choices=["generate", "setup", "verify"])
    p.add_argument("--out")
    p.add_argument("--tag")
    args = p.parse_args()

    if args.child == "generate":
        Path(args.out).write_text(json.dumps(generate()))
        return
    if args.child == "setup":
        Path(args.out).write_text(json.dumps(setup(args.writers)))
        return
    if args.child == "verify":
        Path(args.out).write_text(json.dumps(verify(args.tag)))
        return

    env_url = os.environ.get("DATABASE_URL", "")
    args.pg_url = args.pg_url or (
        env_url if env_url.startswith(("postgres://", "postgresql://")) else common.DEFAULT_PG
    )
    engine = args.engine or ("both" if env_url.startswith(("postgres://", "postgresql://")) else "sqlite")
    engines = ["sqlite", "postgresql"] if engine == "both" else [engine]

    def log(msg):
        print(msg, flush=True)

    runs = [run_engine(e, args, log) for e in engines]
    text = markdown(runs)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, ensure_ascii=False, indent=1, default=str))
    if args.markdown:
        Path(args.markdown).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
