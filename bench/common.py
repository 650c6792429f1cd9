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
