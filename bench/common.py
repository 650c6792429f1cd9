"""Helpers shared by the benchmark scripts (bench/run.py, bench/*_bench.py): timing figures,
throw-away PostgreSQL databases, Django set-up in a child process, the command line and outputs of a
benchmark, bursts of clients against a server, and bench/RESULTS.md sections."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"  # git-ignored: cached generated databases
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


# --- figures -----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(round(p / 100 * len(ordered))))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median": statistics.median(ms), "p95": percentile(ms, 95), "max": max(ms)}


def interleaved_runs(
    cases, get, *, n_requests: int, n_runs: int, budget: float, seed: int, min_requests=5, meter=None
):
    """Time each case `(label, who, kind, url, target_ms)` through `get(who, kind, url)` in `n_runs` runs,
    the cases shuffled in each run so that a change in the machine's load falls on all of them alike.
    Each run does n_requests requests of a case, or fewer (at least `min_requests`) past `budget` seconds;
    a case whose every p95 is over 4x its target is not run again after 3 runs (more would not change the
    verdict). Returns one row per case: p50 and p95 as medians over the runs, the worst run's p95, the
    median CPU time of the process per request. With `meter` (a callable answering {name: CPU seconds so
    far}, e.g. CpuMeter.read for a server's processes), each batch's growth of each figure divided by its
    requests, the median over the runs, goes into the row as `cpu_<name>` (ms per request)."""
    import random
    import time

    rng = random.Random(seed)
    per_run: dict[str, list] = {c[0]: [] for c in cases}
    for run in range(n_runs):
        order = list(cases)
        rng.shuffle(order)
        for label, who, kind, url, target in order:
            done = per_run[label]
            if run >= 3 and target and all(x["p95"] > 4 * target for x in done):
                continue
            secs, cpu = [], []
            before = meter() if meter else {}
            started = time.perf_counter()
            while len(secs) < n_requests and (
                len(secs) < min_requests or time.perf_counter() - started < budget
            ):
                t, c = time.perf_counter(), time.process_time()
                get(who, kind, url)
                secs.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            after = meter() if meter else {}
            s = summary_ms(secs)
            s["cpu_median"] = summary_ms(cpu)["median"]
            s["meters"] = {k: (after[k] - before[k]) * 1000 / len(secs) for k in after}
            done.append(s)
    results = []
    for label, _who, _kind, url, target in cases:
        runs = per_run[label]
        r = {
            "label": label,
            "url": url,
            "target": target,
            "runs": len(runs),
            "per_run": n_requests,
            "n": sum(x["n"] for x in runs),
            "p50": statistics.median(x["median"] for x in runs),
            "p95": statistics.median(x["p95"] for x in runs),
            "p95_worst": max(x["p95"] for x in runs),
            "cpu": statistics.median(x["cpu_median"] for x in runs),
        }
        for name in runs[0]["meters"]:
            r[f"cpu_{name}"] = statistics.median(x["meters"][name] for x in runs)
        results.append(r)
        print(
            f"  {label:<62} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms (worst run {r['p95_worst']:.1f})"
            f"  cpu {r['cpu']:6.1f}  n {r['n']} in {r['runs']} runs",
            flush=True,
        )
    return results


def time_requests(
    cases, get, queries, connection, n_requests, n_runs, budget, seed, min_requests, counts_only=False
):
    """The timings of `cases` (interleaved_runs) and each request's statements run again to their end
    (time_full_sql, into `queries`), unless counts_only; the statements of `queries` kept as text."""
    results = []
    if not counts_only:
        results = interleaved_runs(
            cases,
            get,
            n_requests=n_requests,
            n_runs=n_runs,
            budget=budget,
            seed=seed,
            min_requests=min_requests,
        )
        time_full_sql(queries, connection)
    for q in queries:
        q["sql_full_text"] = q.pop("sql_full", [])
    return results


def time_full_sql(queries: list[dict], connection) -> None:
    """Run each captured SELECT (`q["sql_full"]`) again to its end, execute and fetch, the better of two, into
    `q["sql_full_ms"]`: SQLite does its work while rows are fetched, which the captured timings leave out."""
    import time

    for q in queries:
        full = []
        for sql in q["sql_full"]:
            if not sql.startswith("SELECT"):
                full.append(0.0)
                continue
            best = float("inf")
            for _ in range(2):
                with connection.cursor() as cur:
                    t = time.perf_counter()
                    cur.execute(sql)
                    cur.fetchall()
                    best = min(best, time.perf_counter() - t)
            full.append(best * 1000)
        q["sql_full_ms"] = full


def sql_gist(sql: str) -> str:
    """A statement without its column list: FROM … WHERE … GROUP/ORDER."""
    import re

    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql, count=1, flags=re.S)
    return sql[:400] + ("…" if len(sql) > 400 else "")


def slow_statements(queries: list[dict], at_least_ms: float = 10) -> list[str]:
    """Markdown lines for the requests whose slowest statement, run again to its end (time_full_sql),
    took `at_least_ms` or more: the request's SQL in all, and that statement's gist. Floor rows skipped."""
    lines = []
    for q in queries:
        ms = q.get("sql_full_ms") or []
        if not ms or q["label"].startswith("floor"):
            continue
        top = max(range(len(ms)), key=ms.__getitem__)
        if ms[top] >= at_least_ms:
            lines.append(
                f"- {q['label']}: SQL {sum(ms):.0f} ms in all; slowest statement {ms[top]:.0f} ms: "
                f"`{sql_gist(q['sql_full_text'][top])}`"
            )
    return lines


# --- PostgreSQL --------------------------------------------------------------------------------------


def pg_base(url: str) -> str:
    """postgres://user@host:port/db -> postgres://user@host:port"""
    return url.rsplit("/", 1)[0]


def pg_reachable(url: str = DEFAULT_PG) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{pg_base(url)}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def pg_create(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{pg_base(url)}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_base(url)}/{name}"


def pg_drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_base(url)}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_cli_args(url: str) -> list[str]:
    """-h/-p/-U arguments of psql/pg_dump/pg_restore for a postgres:// URL."""
    from urllib.parse import urlsplit

    u = urlsplit(url)
    args = []
    if u.hostname:
        args += ["-h", u.hostname]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    return args


def pg_env(url: str) -> dict:
    from urllib.parse import urlsplit

    env = dict(os.environ)
    password = urlsplit(url).password
    if password:
        env["PGPASSWORD"] = password
    return env


def pg_version(url: str) -> str:
    """The PostgreSQL server's version, "?" when it does not answer."""
    try:
        import psycopg

        with psycopg.connect(f"{pg_base(url)}/postgres", connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        return "?"


# --- Django in a child process -----------------------------------------------------------------------


# --- cached generated databases ----------------------------------------------------------------------


def cached_sqlite_db(
    cache: str, generate, tmp: Path, fresh: bool, log, what: str
) -> tuple[Path, dict | None]:
    """A copy of bench/data/<cache>.sqlite3, generated first when missing or `fresh`: `generate(url, out)`
    fills the database at `url` in a child process and returns its figures (kept beside the file)."""
    import json
    import shutil
    import sqlite3

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    cached = DATA_DIR / f"{cache}.sqlite3"
    meta_file = cached.with_suffix(".json")
    gen = None
    if fresh or not cached.exists():
        log(f"[sqlite] generating {what} into {cached.name} (cached for later runs) ...")
        work = tmp / "gen.sqlite3"
        gen = generate(f"sqlite:///{work}", tmp / "gen.json")
        con = sqlite3.connect(work)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        shutil.move(work, cached)
        meta_file.write_text(json.dumps(gen))
    elif meta_file.exists():
        gen = json.loads(meta_file.read_text())
        gen["cached"] = True
    copy = tmp / f"run-{cache}.sqlite3"
    shutil.copyfile(cached, copy)
    return copy, gen


def cached_pg_db(
    cache: str, generate, base_url: str, name: str, tmp: Path, fresh: bool, log, what: str
) -> tuple[str, dict | None]:
    """A throw-away PostgreSQL database `name`: restored from bench/data/<cache>.pgdump, or generated by
    `generate(url, out)` (and dumped for the next run)."""
    import json
    import shutil
    import time

    url = pg_create(base_url, name)
    dump = DATA_DIR / f"{cache}.pgdump"
    meta_file = dump.with_suffix(".pg.json")
    cli, env = pg_cli_args(url), pg_env(url)
    if not fresh and dump.exists() and shutil.which("pg_restore"):
        log(f"[postgresql] restoring {dump.name} into {name} ...")
        t0 = time.perf_counter()
        subprocess.run(
            ["pg_restore", *cli, "-d", name, "--no-owner", "-j", "2", str(dump)], check=True, env=env
        )
        gen = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        gen["cached"] = True
        gen["restore_s"] = time.perf_counter() - t0
        return url, gen
    log(f"[postgresql] generating {what} into {name} ...")
    gen = generate(url, tmp / f"gen-pg-{cache}.json")
    if shutil.which("pg_dump"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pg_dump", *cli, "-Fc", "-f", str(dump), name], check=True, env=env)
        meta_file.write_text(json.dumps(gen))
    return url, gen


@contextlib.contextmanager
def cached_db(engine: str, args, tmp: Path, cache: str, generate, what: str, pg_name: str):
    """(database URL, its data's figures) for the `with` block: a copy of the cached SQLite file, or the
    throw-away PostgreSQL database `pg_name` (cached_pg_db on --pg-url), dropped on leaving."""
    if engine == "sqlite":
        db, gen = cached_sqlite_db(cache, generate, tmp, args.fresh, log, what)
        yield f"sqlite:///{db}", gen
        db.unlink()  # the copy is as large as the data: its space is freed before the next one
        return
    try:
        yield cached_pg_db(cache, generate, args.pg_url, pg_name, tmp, args.fresh, log, what)
    finally:
        pg_drop(args.pg_url, pg_name)


def small_and_big_runs(
    script: str, engine: str, args, sizes, size_flag, cache, what, pg_prefix, *, runs=None, generate=None
) -> dict:
    """`script`'s query counts at the small size (--counts-only) and its timed run at the big one, each in
    a child `--child measure` on its own cached database: {"small_run": …, "big_run": …}, each with its
    data's figures under "generation". The database of size n is <cache>-<n> (cached_db), generated by
    `--child generate <size_flag> n` or by generate(n)(url, out); `what` formats n for the log."""
    out = {}
    with tempfile.TemporaryDirectory(prefix=f"{pg_prefix}-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        for n, counts_only, key in ((sizes[0], True, "small_run"), (sizes[1], False, "big_run")):
            gen = (
                generate(n)
                if generate
                else (lambda url, o, n=n: child_json(script, "generate", url, [size_flag, str(n)], o))
            )
            extra = ["--requests", str(args.requests), "--runs", str(runs or args.runs)]
            extra += ["--budget", str(args.budget)] + (["--counts-only"] if counts_only else [])
            pg_name = f"{pg_prefix}_{os.getpid()}_{n}"
            with cached_db(engine, args, tmp, f"{cache}-{n}", gen, what.format(n), pg_name) as (url, found):
                log(f"[{engine}] measuring at {what.format(n)} ...")
                out[key] = child_json(script, "measure", url, extra, tmp / f"m-{n}.json")
            out[key]["generation"] = found
    return out


def setup_django() -> None:
    import warnings

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault(
        "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
    )  # loaddemo's mails
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.simplefilter("ignore", DeprecationWarning)  # treebeard add_root/add_child
    import django

    django.setup()


def analyze(connection) -> None:
    """Planner statistics after bulk inserts or a restore (VACUUM too on PostgreSQL: index-only scans
    need the pages marked all-visible)."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def page_and_api_clients(user):
    """Two Django test Clients for `user`: one logged in (pages), one with an API token. The password
    counts as changed now: a cached database may be older than the password expiry."""
    from django.test import Client
    from django.utils import timezone

    from zhengxie.core.models import ApiToken

    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    page = Client()
    page.force_login(user)
    return page, Client(headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})


def clients_of(users: dict) -> tuple[dict, dict]:
    """page_and_api_clients for each of `users` ({name: user}): ({name: page client}, {name: API client})."""
    both = {name: page_and_api_clients(user) for name, user in users.items()}
    return {name: c[0] for name, c in both.items()}, {name: c[1] for name, c in both.items()}


def run_child(script: Path, args: list[str], env: dict | None = None) -> None:
    cmd = [sys.executable, str(script), *args]
    subprocess.run(cmd, env={**os.environ, **(env or {})}, check=True, cwd=ROOT)


# --- bench/RESULTS.md --------------------------------------------------------------------------------


def split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first "## " heading, [(heading line, whole section text)])."""
    lines = text.splitlines(keepends=True)
    head, sections, current = [], [], None
    for line in lines:
        if line.startswith("## "):
            current = [line.rstrip("\n"), [line]]
            sections.append(current)
        elif current is None:
            head.append(line)
        else:
            current[1].append(line)
    return "".join(head), [(h, "".join(body)) for h, body in sections]


def write_results(header: str, sections: dict[str, str], order: list[str]) -> None:
    """Write bench/RESULTS.md: our `header` (the text before the first section) and our `sections`
    ({"## Heading": body}); sections that other scripts wrote (other headings) are kept as they are.
    `order` lists the headings in the order wanted; unknown ones follow in their present order."""
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    _, present = split_sections(existing)
    merged: dict[str, str] = {h: body for h, body in present}
    for heading, body in sections.items():
        merged[heading] = f"{heading}\n\n{body.strip()}\n"
    ranked = [h for h in order if h in merged] + [h for h in merged if h not in order]
    out = header.strip() + "\n\n" + "\n".join(merged[h].rstrip() + "\n" for h in ranked)
    RESULTS.write_text(out, encoding="utf-8")


def md_table(headers: list[str], rows: list[list]) -> str:
    def cell(v):
        if isinstance(v, float):
            return "—" if v != v else f"{v:.1f}"
        return str(v)

    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def requests_table(
    rows: list[list], small: int, big: int, *, cpu: bool = True, tail=("target p95", "")
) -> str:
    """The table of a benchmark's requests (rows from request_row): the query counts at the `small` and
    the `big` size, the times at the big one, then the columns `tail` (the target and the verdict)."""
    headers = ["request", f"queries {small:,}", f"queries {big:,}", "", "n (runs)", "p50 ms", "p95 ms"]
    return md_table([*headers, "worst p95", *(["CPU ms"] if cpu else []), *tail], rows)


def request_row(r: dict, small_count, big_count, same: str, *, cpu: bool = True, target: bool = True) -> list:
    """One row of requests_table for `r`, a row of interleaved_runs: `same` says whether the query counts
    at both sizes are equal; the target column (left out without `target`) and the verdict come last."""
    t = r["target"]
    row = [r["label"], small_count, big_count, same, f"{r.get('n', '')} ({r['runs']})"]
    row += [r["p50"], r["p95"], r["p95_worst"], *([r["cpu"]] if cpu else [])]
    if target:
        row.append("" if t is None else f"<= {t:.0f}")
    return [*row, "" if t is None else ("pass" if r["p95"] <= t else "**MISS**")]


def compared_rows(results: list[dict], small_queries: list[dict], big_queries: list[dict], **row) -> list:
    """request_row for each of `results`, with its request's query counts at both sizes compared."""
    small_q = {q["label"]: q["queries"] for q in small_queries}
    big_q = {q["label"]: q["queries"] for q in big_queries}
    rows = []
    for r in results:
        cs, cb = small_q.get(r["label"], "-"), big_q.get(r["label"], "-")
        same = r["label"] in small_q and r["label"] in big_q and cs == cb
        rows.append(request_row(r, cs, cb, "equal" if same else "**DIFFERENT**", **row))
    return rows


def where_the_time_goes(queries: list[dict]) -> list[str]:
    """Markdown lines for slow_statements under their heading, none when no statement is slow."""
    slow = slow_statements(queries)
    return (
        ["", "Where the time goes (statements >= 10 ms, run again to their end):", "", *slow] if slow else []
    )


# --- a benchmark's command line and outputs ----------------------------------------------------------


def add_common_args(p, *, engine: str | None = None, pg_url: str | None = None) -> None:
    """The options every benchmark script takes: which engines, where PostgreSQL is, the cached data,
    the outputs, and the child mode's --out. With the defaults None, engines() decides from DATABASE_URL."""
    p.add_argument(
        "--engine",
        choices=["sqlite", "postgresql", "both"],
        default=engine,
        help=f"default: {engine}"
        if engine
        else "default: sqlite, and postgresql too when DATABASE_URL names a PostgreSQL server",
    )
    where = pg_url or f"DATABASE_URL or {DEFAULT_PG}"
    p.add_argument("--pg-url", default=pg_url, help=f"PostgreSQL server (default {where})")
    p.add_argument("--fresh", action="store_true", help="regenerate the cached data")
    p.add_argument("--json", help="write the figures as JSON to this file")
    p.add_argument("--markdown", help="write the RESULTS.md section (without heading) to this file")
    p.add_argument("--tmpdir", default=None)
    p.add_argument("--out")


def engines(args) -> list[str]:
    """The engines to measure: --engine, else both when DATABASE_URL names a PostgreSQL server (which
    then is the default --pg-url), else SQLite."""
    env_url = os.environ.get("DATABASE_URL", "")
    is_pg = env_url.startswith(("postgres://", "postgresql://"))
    args.pg_url = args.pg_url or (env_url if is_pg else DEFAULT_PG)
    engine = args.engine or ("both" if is_pg else "sqlite")
    return ["sqlite", "postgresql"] if engine == "both" else [engine]


def log(msg: str) -> None:
    print(msg, flush=True)


def run_engines(args, run_engine) -> list:
    """run_engine(engine, args, log) for each engine, with the time each took."""
    runs = []
    for e in engines(args):
        t0 = time.perf_counter()
        runs.append(run_engine(e, args, log))
        log(f"[{e}] done in {time.perf_counter() - t0:.0f} s")
    return runs


def each_engine(args, parts: dict) -> dict:
    """{part: [its result on each engine]} for the parts of `parts` ({name: run(engine, args, log)}) that
    --only asks for ("both": all of them), one engine after the other."""
    found: dict = {name: [] for name in parts}
    for e in engines(args):
        for name, run in parts.items():
            if args.only in (name, "both"):
                found[name].append(run(e, args, log))
    return found


def add_measure_args(p, *, budget: float) -> None:
    """The options of a benchmark measured by small_and_big_runs, and its children's modes."""
    p.add_argument("--requests", type=int, default=30, help="requests of each kind per run")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--budget", type=float, default=budget, help="seconds per request and run")
    p.add_argument("--child", choices=["generate", "measure"])
    p.add_argument("--counts-only", action="store_true")


def child_mode(args, modes: dict) -> bool:
    """In a child process (--child MODE): modes[MODE]() written to --out as JSON, and True."""
    if not args.child:
        return False
    Path(args.out).write_text(json.dumps(modes[args.child](), ensure_ascii=False))
    return True


def write_outputs(args, data, text: str) -> None:
    """`data` into --json and the markdown `text` into --markdown when asked; the markdown printed."""
    if args.json:
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(text)
    print(text)


def child_json(script: str, mode: str | None, url: str, extra: list[str], out: Path) -> dict:
    """Run `script` --child [mode] on the database at `url` in a child process; what it wrote to `out`."""
    child = ["--child", mode] if mode else ["--child"]
    run_child(Path(script), [*child, "--out", str(out), *extra], env={"DATABASE_URL": url})
    return json.loads(out.read_text())


# --- the production server, its clients and what it costs ----------------------------------------------


def machine() -> str:
    """The machine in one line: cores and their model, memory, system, Python, the load average now."""
    import platform

    mem = cpu = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{os.cpu_count()} cores ({cpu or platform.machine()}), {mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average at start {load}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, tmp: Path, port: int, workers: int, threads: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="zhengxie.settings",
        DATABASE_URL=url,
        DEBUG="false",
        TASKS_BACKEND="database",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MEDIA_ROOT=str(tmp / "media"),
        CACHE_DIR=str(tmp / "cache"),  # shared by the server's processes, as `make run`'s var/cache
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        GUNICORN_ACCESSLOG=str(tmp / "access.log"),
        GUNICORN_TIMEOUT="120",
    )
    return env


class Server:
    """gunicorn (deploy/gunicorn.conf.py, as `make run` starts it: --workers processes × --threads threads)
    and, unless told not to, the database task worker. `env` may be changed before entering (a floor's
    settings module)."""

    def __init__(self, url: str, tmp: Path, workers: int, threads: int, task_worker: bool):
        self.port = free_port()
        self.env = server_env(url, tmp, self.port, workers, threads)
        self.log_path = tmp / "server.log"
        self.access_log_path = tmp / "access.log"
        self.worker_log_path = tmp / "db_worker.log"
        self.task_worker = task_worker
        self.procs: list[subprocess.Popen] = []

    @property
    def pid(self) -> int:
        """The gunicorn master's process id (its workers are its children)."""
        return self.procs[0].pid

    def __enter__(self):
        log = open(self.log_path, "w")
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        if self.task_worker:
            wlog = open(self.worker_log_path, "w")
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--queue-name", "*"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=wlog,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.time() + 90
        while True:
            if self.procs[0].poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/accounts/login/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def access_log(self) -> str:
        return self.access_log_path.read_text(errors="replace") if self.access_log_path.exists() else ""

    def log_facts(self) -> dict:
        text = self.log_path.read_text(errors="replace")
        worker = self.worker_log_path.read_text(errors="replace") if self.task_worker else ""
        inside = [
            int(m[1])
            for m in re.finditer(
                r'"POST /api/v1/proposals\S* HTTP/[\d.]+" \d{3} \S+ (\d+)ms', self.access_log()
            )
        ]
        return {
            "server_ms": summary_ms([ms / 1000 for ms in inside]) if inside else {},
            "tracebacks": text.count("Traceback (most recent call last)"),
            "locked": text.count("database is locked"),
            "deadlock": text.count("deadlock detected"),
            "serialization": text.count("could not serialize"),
            "enqueue_failed": text.count("通知外发入队失败"),
            "worker_tracebacks": worker.count("Traceback (most recent call last)"),
            "worker_locked": worker.count("database is locked"),
        }


def server_credentials(user) -> dict:
    """What a client of a running server sends as `user`: a session cookie (pages) and an API token. The
    password counts as changed now: a cached database may be older than the password expiry."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from zhengxie.core.models import ApiToken

    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    c = Client()
    c.force_login(user)
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}",
        "token": ApiToken.issue(user),
    }


class Clients:
    """One keep-alive connection per user; GET with the user's session cookie (pages) or token (API);
    `who` is {user: server_credentials(user)}."""

    def __init__(self, port: int, who: dict):
        self.port, self.who, self.conns = port, who, {}

    def get(self, who: str, kind: str, url: str) -> bytes:
        cred = self.who[who]
        headers = (
            {"Cookie": cred["cookie"]} if kind == "page" else {"Authorization": f"Bearer {cred['token']}"}
        )
        for attempt in (1, 2):  # the server closes a keep-alive connection idle for 5 s: open a new one once
            conn = self.conns.get(who) or http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conns[who] = conn
            try:
                conn.request("GET", url, headers=headers)
                r = conn.getresponse()
                body = r.read()
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                self.conns.pop(who, None)
                if attempt == 2:
                    raise
        assert r.status == 200, (url, r.status, body[:300])
        return body


def throughput(port: int, who: dict, path, user: str, n_clients: int, seconds: float) -> dict:
    """n_clients threads GETting `path` (or, a list, its paths in turn) as `user` for `seconds`: answers
    per second."""
    paths = [path] if isinstance(path, str) else list(path)
    done, errors, lock = [], [], threading.Lock()
    stop = time.perf_counter() + seconds

    def client(k):
        c = Clients(port, who)
        n = 0
        while time.perf_counter() < stop:
            try:
                c.get(user, "api", paths[(k + n) % len(paths)])
                n += 1
            except Exception as exc:  # noqa: BLE001 — counted, reported
                with lock:
                    errors.append(type(exc).__name__)
        with lock:
            done.append(n)

    load = load_avg()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"rps": sum(done) / wall, "requests": sum(done), "errors": len(errors), "load": [load, load_avg()]}


def proc_times(pid: int) -> tuple[float, float]:
    """(CPU seconds of the process, all its threads; CPU seconds of its children already reaped), from
    /proc/<pid>/stat; (0, 0) when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def child_pids(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class CpuMeter:
    """CPU seconds so far of a server's request work, for interleaved_runs(meter=...): "app", the gunicorn
    workers (children of `master`; a worker recycled after max_requests counts through the master's
    reaped-children time), and, with `pg_url` and `dbname`, "db", the PostgreSQL backends connected to
    that database (read from /proc: the server must run on this machine). A backend that ends between two
    reads (Django closes a connection older than CONN_MAX_AGE) loses its CPU since the first read: the db
    figure is a lower bound, and `ended` counts such backends."""

    def __init__(self, master: int, pg_url: str | None = None, dbname: str | None = None):
        self.master, self.dbname, self.ended = master, dbname, 0
        self.conn = None
        self.db_seen: dict[int, float] = {}
        self.gone: set[int] = set()
        if pg_url and dbname:
            import psycopg

            self.conn = psycopg.connect(f"{pg_base(pg_url)}/postgres", autocommit=True)

    def read(self) -> dict:
        out = {"app": sum(proc_times(p)[0] for p in child_pids(self.master)) + proc_times(self.master)[1]}
        if self.conn is not None:
            pids = [
                row[0]
                for row in self.conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                    [self.dbname],
                )
            ]
            now = {p: proc_times(p)[0] for p in pids}
            self.gone |= set(self.db_seen) - set(now)
            self.ended = len(self.gone)
            # Ended backends keep the figure they had when last seen, so that the sum never goes back.
            self.db_seen = {**self.db_seen, **now}
            out["db"] = sum(self.db_seen.values())
        return out

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Hog:
    """A CPU hog beside a benchmark: one busy-loop process per core at `nice` (0: as busy as anything else
    on the machine; a process may only raise its niceness unless privileged, so `niceness` says what the
    hogs really got)."""

    def __init__(self, nice: int = 0, n: int | None = None):
        self.nice, self.n, self.procs = nice, n or os.cpu_count() or 1, []
        self.niceness: int | None = None

    def __enter__(self):
        def lower():
            try:
                os.setpriority(os.PRIO_PROCESS, 0, self.nice)
            except OSError:
                pass

        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"], preexec_fn=lower))
        time.sleep(0.5)
        self.niceness = os.getpriority(os.PRIO_PROCESS, self.procs[0].pid)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()


# --- a burst of clients against a server -------------------------------------------------------------


def load_avg() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


class KeepAlive:
    """One client's keep-alive connection to the server on 127.0.0.1:`port`. post() times one POST of a
    JSON body; after a broken connection it opens a new one, and the answer is the exception's name."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)

    def post(self, path: str, body: dict, headers: dict) -> dict:
        t = time.perf_counter()
        try:
            self.conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            status: int | str = resp.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
            raw, status = b"", type(exc).__name__
        secs = time.perf_counter() - t
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:160].decode(errors="replace")}
        detail = str(data.get("detail") or data.get("raw") or "")[:160]
        return {"status": status, "secs": secs, "detail": detail, "data": data}

    def close(self) -> None:
        self.conn.close()


def burst(n_clients: int, client, *, accepted_only: bool = False) -> dict:
    """n_clients threads running client(n, barrier, answers), released at once by the barrier (so that
    they hit the server together); each appends its answers ({"text", "status", "secs", "detail"}).
    Throughput counts every answer, or with `accepted_only` the 201s alone."""
    answers: list[dict] = []
    barrier = threading.Barrier(n_clients + 1)
    threads = [
        threading.Thread(target=client, args=(n, barrier, answers), daemon=True) for n in range(n_clients)
    ]
    for t in threads:
        t.start()
    load_start = load_avg()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    secs = [a["secs"] for a in answers]
    s = summary_ms(secs)
    s["p50"] = statistics.median(x * 1000 for x in secs)
    errors = [a for a in answers if a["status"] != 201]
    counted = len(answers) - len(errors) if accepted_only else len(answers)
    return {
        "answers": answers,
        "requests": len(answers),
        "wall_s": wall,
        "throughput": counted / wall,
        "latency": s,
        "errors": len(errors),
        "statuses": dict(Counter(str(a["status"]) for a in answers)),
        "error_samples": Counter(f"{a['status']}: {a['detail']}" for a in errors).most_common(5),
        "load_start": load_start,
        "load_end": load_avg(),
    }


def account(answers: list[dict], held: dict) -> dict:
    """Lost: told 201 but not in `held` ({text: code or None}, the rows in the database), or held with
    another code than the answer's; phantom: told failure but held."""
    lost = [a["text"] for a in answers if a["status"] == 201 and a["text"] not in held]
    phantom = [a["text"] for a in answers if a["status"] != 201 and a["text"] in held]
    wrong = [
        a["text"]
        for a in answers
        if a["status"] == 201 and a.get("code") and held.get(a["text"]) not in (None, a["code"])
    ]
    return {
        "lost": len(lost) + len(wrong),
        "phantom": len(phantom),
        "lost_samples": (lost + wrong + phantom)[:5],
    }


def add_burst_args(p) -> None:
    """The options of alternating_bursts: how many clients, how many requests each, how many runs, and
    the server's processes and threads (`make run`'s defaults); the children's modes."""
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=3, help="burst runs (each: endpoint, then floor)")
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--child", choices=["generate", "measure", "burst-setup", "burst-verify"])
    p.add_argument("--tag", help="the burst's rows (a child's burst-verify)")


def alternating_bursts(engine: str, args, paths: dict, fire, verify, *, tag: str, crowd: str, per_s: str):
    """With the server started: a warm-up burst at each path (every server thread answers once or twice),
    then --runs runs of a burst at each path of `paths` ({kind: path}) in turn, so that a change in the
    machine's load falls on all alike. fire(kind, path, slot, tag, n_clients, rounds) runs one burst (a
    slot distinct per run and kind); verify(tag) -> (the rows held, for account(); facts kept with the
    run). Returns the runs, each with its kind, its number and its lost and phantom answers."""
    pid = os.getpid()
    for kind, path in paths.items():
        fire(kind, path, 240, f"WARM{pid}", args.workers * args.threads * 2, 1)
    runs = []
    for r in range(args.runs):
        for i, (kind, path) in enumerate(paths.items()):
            run_tag = f"{tag}{pid}{kind[0]}{r}x{int(time.time()) % 100000}"
            log(
                f"[{engine}] run {r + 1}/{args.runs} {kind}: {args.clients} {crowd} × {args.rounds}, "
                f"load {load_avg()} ..."
            )
            res = fire(kind, path, r * len(paths) + i, run_tag, args.clients, args.rounds)
            held, facts = verify(run_tag)
            res.update(account(res.pop("answers"), held))
            res.update(kind=kind, run=r + 1, **facts)
            runs.append(res)
            log(
                f"[{engine}]   {kind}: {res['requests']} requests, errors {res['errors']} {res['statuses']}, "
                f"lost {res['lost']}, told-failed-but-stored {res['phantom']}, {res['throughput']:.1f}{per_s}, "
                f"p50 {res['latency']['p50']:.0f} ms p95 {res['latency']['p95']:.0f} ms max "
                f"{res['latency']['max']:.0f} ms, load {res['load_start']} -> {res['load_end']}"
                + "".join(f"; {k} {v}" for k, v in facts.items())
            )
            for sample, count in res["error_samples"]:
                log(f"[{engine}]     {count} × {sample}")
    return runs


def burst_report(engine: str, args, runs: list[dict], logs: dict) -> dict:
    """A server's bursts for the JSON output: the settings, the runs, and per kind the medians over the
    runs (max: the worst; requests, errors and lost: the sums)."""

    def med(kind, get):
        vals = [get(x) for x in runs if x["kind"] == kind]
        return statistics.median(vals) if vals else float("nan")

    summary = {}
    for kind in ("endpoint", "floor"):
        summary[kind] = {
            "throughput": med(kind, lambda x: x["throughput"]),
            "p50": med(kind, lambda x: x["latency"]["p50"]),
            "p95": med(kind, lambda x: x["latency"]["p95"]),
            "max": max(x["latency"]["max"] for x in runs if x["kind"] == kind),
            "requests": sum(x["requests"] for x in runs if x["kind"] == kind),
            "errors": sum(x["errors"] for x in runs if x["kind"] == kind),
            "lost": sum(x["lost"] + x["phantom"] for x in runs if x["kind"] == kind),
        }
    return {
        "engine": engine,
        "clients": args.clients,
        "rounds": args.rounds,
        "workers": args.workers,
        "threads": args.threads,
        "runs": runs,
        "summary": summary,
        "logs": {k: v for k, v in logs.items() if k != "server_ms"},
    }


def subtree_filter(user, field: str = "organisation_id") -> dict:
    """A floor's filter on `user`'s organisation and those below it, as the pages' own scope does it: the
    organisations' ids read first (one short query), then a plain IN on the list's table."""
    from zhengxie.core.models import Organisation

    ids = Organisation.objects.filter(path__startswith=user.organisation.path).values_list("pk", flat=True)
    return {f"{field}__in": list(ids)}


def first_page_floor(queryset, per_page: int, fields=("id", "title")) -> dict:
    """A floor's answer: the list's first page (only `fields`) and its count, the two queries any paged
    list needs."""
    return {"total": queryset.count(), "rows": list(queryset.values(*fields)[:per_page])}


def mount_floors(floors: list) -> list:
    """Bare views for the floor rows of a lists benchmark: each `(label, who, view_fn)` becomes the case
    `(label, who, "page", /bench-floor/<n>/, None)`, a view answering JsonResponse(view_fn(request))
    behind the platform's own middleware, session and login, so that the list's p95 can be read against
    the one query it cannot avoid, measured in the same run."""
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    import zhengxie.urls

    cases = []
    for n, (label, who, fn) in enumerate(floors):

        def view(request, fn=fn):
            return JsonResponse(fn(request), safe=False)

        zhengxie.urls.urlpatterns.insert(0, path(f"bench-floor/{n}/", view))
        cases.append((label, who, "page", f"/bench-floor/{n}/", None))
    clear_url_caches()
    return cases


def floor_ratios(rows: list[dict]) -> list[str]:
    """Markdown lines: each timed list's p95 as a multiple of its floor's, the floor being the row labelled
    "floor: …" that the list's `floor` key names (rows of count_and_time)."""
    by_label = {r["label"]: r for r in rows}
    lines = []
    for r in rows:
        f = by_label.get(r.get("floor") or "")
        if f and f["p95"] > 0:
            lines.append(
                f"- {r['label']}: p95 {r['p95']:.1f} ms = {r['p95'] / f['p95']:.1f}x the floor's {f['p95']:.1f} ms"
            )
    return lines


def floor_note(measured: dict) -> str:
    """A lists benchmark's paragraph on how it was measured: the machine's load, the floor, the ratios."""
    load = measured.get("load") or {}
    lines = [
        f"Measured in one process with the Django test Client (no HTTP server; 1 process, 1 thread) on "
        f"{os.cpu_count()} cores, load average {load.get('start', '?')} at the start and "
        f'{load.get("end", "?")} at the end. Each "floor" row is a bare Django view behind the same middleware '
        f"and login doing the list's one unavoidable query (first page + count), timed interleaved with the "
        f"real requests in the same runs; p50 and p95 are medians over the runs.",
    ]
    ratios = floor_ratios(measured.get("rows") or [])
    return "\n".join([*lines, "", *ratios]) if ratios else lines[0]


def count_and_time(
    cases,
    pages: dict,
    apis: dict,
    *,
    n_requests: int,
    n_runs: int,
    budget: float,
    counts_only: bool,
    floors: list = (),
    floor_of: dict | None = None,
):
    """The lists benchmarks' core: each case `(label, who, "page"|"api", url, target_ms)` must answer 200;
    its SQL query count is taken on a second request (the first warms caches), then, unless `counts_only`,
    it is timed with `interleaved_runs` beside the `floors` (mount_floors). `floor_of` ({case label: floor
    label}) pairs a list with its floor for floor_ratios. Returns {"counts": {label: n}, "rows": [...],
    "load": {"start", "end"}}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load_start = load_avg()
    cases = [*cases, *mount_floors(list(floors))]

    def get(who, kind, url):
        r = (pages if kind == "page" else apis)[who].get(url)
        assert r.status_code == 200, (url, r.status_code)
        return r

    counts = {}
    for label, who, kind, url, _ in cases:
        get(who, kind, url)
        with CaptureQueriesContext(connection) as q:
            get(who, kind, url)
        counts[label] = len(q)
    out = {"counts": counts}
    if not counts_only:
        out["rows"] = interleaved_runs(
            cases, get, n_requests=n_requests, n_runs=n_runs, budget=budget, seed=12
        )
        for r in out["rows"]:
            r["floor"] = (floor_of or {}).get(r["label"])
    out["load"] = {"start": load_start, "end": load_avg()}
    return out


def demo_factor_main(
    script: str, doc: str, *, generate, measure, markdown, cache: str, pg_prefix: str
) -> None:
    """The command line of a lists benchmark at demo size x`--factor` (keytasks, supervision, appraisal,
    research): children generate (`generate(factor)`) and measure (`measure(requests, runs, budget,
    counts_only)`); the parent measures the demo (query counts) and demo x factor (timed) on each engine
    and writes `markdown(runs)`."""
    import argparse

    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, engine="sqlite", pg_url=DEFAULT_PG)
    p.add_argument("--factor", type=int, default=100)
    add_measure_args(p, budget=10.0)
    args = p.parse_args()
    modes = {
        "generate": lambda: generate(args.factor),
        "measure": lambda: measure(args.requests, args.runs, args.budget, args.counts_only),
    }
    if child_mode(args, modes):
        return
    runs = []
    for engine in engines(args):
        found = small_and_big_runs(
            script, engine, args, (0, args.factor), "--factor", cache, "x{}", pg_prefix
        )
        runs.append({"engine": engine, "factor": args.factor, **found})
    write_outputs(args, runs, markdown(runs))


def demo_factor_markdown(runs: list[dict], intro, *, size_key: str, may_differ=lambda label: False) -> str:
    """The RESULTS.md text of a demo_factor_main benchmark: per engine `intro(run, big, generation)`, the
    requests' table (query counts on the demo and at scale, times at scale, verdict) and floor_note.
    `may_differ(label)` marks requests whose object differs between the two sizes (their counts may too)."""
    parts = []
    for run in runs:
        big, small = run["big_run"], run["small_run"]
        gen = big.get("generation") or {}
        parts.append(f"**{run['engine']}**: " + intro(run, big, gen))
        sc, bc = small["counts"], big["counts"]
        rows = []
        for r in big["rows"]:
            label = r["label"]
            mark = "equal" if sc.get(label) == bc.get(label) else "**DIFFERENT**"
            if mark != "equal" and may_differ(label):
                mark = "another object"
            rows.append(request_row(r, sc.get(label, "-"), bc.get(label, "-"), mark, cpu=False))
        small_n = (small.get("generation") or {}).get(size_key) or 0
        parts.append(requests_table(rows, small_n, gen.get(size_key) or 0, cpu=False))
        parts.append(floor_note(big))
    return "\n\n".join(parts)


def measure_setup(usernames=("leader", "office")):
    """A measuring child's start: Django on the generated database, migrated and analysed, and logged-in
    page and API clients of these demo users: (users, pages, apis)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    analyze(connection)
    from zhengxie.core.models import User

    users = {u.username: u for u in User.objects.filter(username__in=list(usernames))}
    pages, apis = clients_of(users)
    return users, pages, apis
