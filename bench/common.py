"""Helpers shared by the benchmark scripts (bench/run.py, bench/proposals_bench.py): timing figures,
throw-away PostgreSQL databases, Django set-up in a child process, and bench/RESULTS.md sections."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
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


def interleaved_runs(cases, get, *, n_requests: int, n_runs: int, budget: float, seed: int, min_requests=5):
    """Time each case `(label, who, kind, url, target_ms)` through `get(who, kind, url)` in `n_runs` runs,
    the cases shuffled in each run so that a change in the machine's load falls on all of them alike.
    Each run does n_requests requests of a case, or fewer (at least `min_requests`) past `budget` seconds;
    a case whose every p95 is over 4x its target is not run again after 3 runs (more would not change the
    verdict). Returns one row per case: p50 and p95 as medians over the runs, the worst run's p95, the
    median CPU time of the process per request."""
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
            started = time.perf_counter()
            while len(secs) < n_requests and (
                len(secs) < min_requests or time.perf_counter() - started < budget
            ):
                t, c = time.perf_counter(), time.process_time()
                get(who, kind, url)
                secs.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            s = summary_ms(secs)
            s["cpu_median"] = summary_ms(cpu)["median"]
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
        results.append(r)
        print(
            f"  {label:<62} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms (worst run {r['p95_worst']:.1f})"
            f"  cpu {r['cpu']:6.1f}  n {r['n']} in {r['runs']} runs",
            flush=True,
        )
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
