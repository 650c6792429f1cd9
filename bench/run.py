"""`make bench`: every benchmark, then bench/RESULTS.md.

    .venv/bin/python bench/run.py                  # all of them, SQLite and (if reachable) PostgreSQL
    .venv/bin/python bench/run.py --only proposals --no-pg
    .venv/bin/python bench/run.py --quick          # small sizes, prints only (RESULTS.md untouched)

- bench/proposals_bench.py: proposal pages and API at 100,000 proposals (section "## Proposals");
- bench/proposals_server_bench.py: the same pages and API as an outsider measures them — PostgreSQL behind
  gunicorn as `make run` starts it, each beside a bare view doing its one query (the floor), at 1,000 and
  100,000 proposals, quiet and beside a CPU hog, with CPU per request (app and database), the API's
  throughput with 1, 2 and 4 processes and the list's EXPLAIN (section "## Proposals behind gunicorn");
- bench/handling_bench.py: the unit inbox and the 督办 board of the handling spine at 100,000 proposals
  plus 100,000 items of a second kind (section "## Handling spine (inbox and 督办 board)");
- bench/opinions_bench.py: 社情民意 queue, member's list, item and statistics (pages and API) at 100,000
  items (section "## 社情民意");
- bench/search_bench.py: search_ids / similar on 100,000 documents (section "## Search", made here
  from its output);
- bench/performance_bench.py: duty scores at 5,000 members and 1,000,000 records; it writes its own
  section "## Performance (duty scores)", which is kept as it is;
- bench/writers_bench.py: 50 members × 10 (draft + submit) at once against gunicorn as `make run` starts
  it: errors and lost writes, latency (section "## Concurrent writers");
- bench/public_bench.py: 200 citizens at once on the public 微建议 endpoint (gunicorn as `make run`, a
  bare one-INSERT view as the ratio's floor) and the office's lists at 100,000 suggestions (section
  "## 微建议 (public channel)");
- bench/hall_bench.py: 200 members at once commenting in an online hall (the same server and floor) and the
  hall's pages at 100,000 comments (section "## 网络议政 (online hall)");
- bench/keytasks_bench.py: the 重点工作 list, board and API at demo size x100 (section "## 重点工作 (key tasks)");
- bench/eval_similar.py (`make eval`): similar() against TF-IDF and BM25 baselines on the real taidi2020
  messages, quality and latency (section "## Similar-text retrieval (taidi2020)");
- bench/eval_duplicates.py (`make eval`): the 疑似重复 groups of the staff queues on the taidi2020 messages
  (pair precision/recall/F1 beside a character 2-gram TF-IDF baseline, the threshold chosen on a dev half)
  and the 立案审查 queue page's p95 at 200 and 2,000 waiting proposals (section "## 疑似重复 (near-duplicate
  groups, taidi2020)");
- bench/eval_drafting.py (`make eval`): 撰写助手 — its rules on the taidi2020 messages (false alarms, recall
  on synthetic two-matter texts) and the p95 of the check and the typing panel (section "## 撰写助手");
- bench/eval_routing.py: 智能分办 — the category on the taidi2020 test split beside TF-IDF words, character
  2-gram and naive Bayes baselines, the units against where the demo's staff sent its newest items, and a
  suggestion's latency on SQLite and PostgreSQL (section "## 智能分办 (routing)");
- bench/eval_hottopics.py (`make eval`): the 热点 clustering on the taidi2020 messages (same-title pair recall,
  purity against the routing labels, the contest team's hot issues) beside a k-means baseline, and its time
  and peak memory at 4k, 20k and 100k texts (section "## 热点 (hot topics, taidi2020)");
- bench/supervision_bench.py, appraisal_bench.py, research_bench.py: the 民主监督, 民主评议 and 视察调研 lists,
  pages and API at demo size x100 (sections "## 民主监督", "## 民主评议", "## 视察调研");
- bench/scale_bench.py: the 政协云 case on PostgreSQL — `manage.py loadscale` provinces of growing size, the
  county, city and province year pages and tables and the API lists behind gunicorn beside their floors,
  the API list's throughput with 1, 2 and 4 processes, the hourly recount and a late reply's freshness
  (section "## 政协云 (a province)").

PostgreSQL: the server of DATABASE_URL, or postgres://postgres@127.0.0.1:5432 when it answers there;
each benchmark creates and drops its own throw-away databases on it. The machine's description, the
date and the git commit go in the header.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

BENCH = common.ROOT / "bench"
PROPOSALS, SEARCH, PERFORMANCE = "## Proposals", "## Search", "## Performance (duty scores)"
SERVER = "## Proposals behind gunicorn"
WRITERS = "## Concurrent writers"
WRITERS_NOTES = "## Concurrent writers: what misses and why"  # written by hand, kept as it is
HANDLING = "## Handling spine (inbox and 督办 board)"
NOTES = "## Proposals: why, and what is left"  # written by hand, kept as it is
HANDLING_NOTES = "## Handling spine: what misses and why"  # written by hand, kept as it is
OPINIONS = "## 社情民意"
OPINIONS_NOTES = "## 社情民意: what misses and why"  # written by hand, kept as it is
PUBLIC = "## 微建议 (public channel)"
PUBLIC_NOTES = "## 微建议: what misses and why"  # written by hand, kept as it is
HALL = "## 网络议政 (online hall)"
HALL_NOTES = "## 网络议政: what misses and why"  # written by hand, kept as it is
KEYTASKS = "## 重点工作 (key tasks)"
EVAL = "## Similar-text retrieval (taidi2020)"
DUPLICATES = "## 疑似重复 (near-duplicate groups, taidi2020)"
DRAFTING = "## 撰写助手 (drafting advice)"
ROUTING = "## 智能分办 (routing)"
HOTTOPICS = "## 热点 (hot topics, taidi2020)"
SCALE = "## 政协云 (a province)"
# Lists benchmarks at demo size x100 (x10 under --quick), all shaped like keytasks_bench.py's output:
# name -> (script, section of RESULTS.md, what the query-count failure points to).
DEMO_X100 = {
    "keytasks": ("keytasks_bench.py", KEYTASKS, "重点工作"),
    "supervision": ("supervision_bench.py", "## 民主监督 (supervision)", "民主监督"),
    "appraisal": ("appraisal_bench.py", "## 民主评议 (appraisal)", "民主评议"),
    "research": ("research_bench.py", "## 视察调研 (inspections and research)", "视察调研"),
}
ORDER = [
    "## Summary",
    PROPOSALS,
    NOTES,
    SERVER,
    HANDLING,
    HANDLING_NOTES,
    OPINIONS,
    OPINIONS_NOTES,
    SEARCH,
    EVAL,
    DUPLICATES,
    DRAFTING,
    ROUTING,
    HOTTOPICS,
    PERFORMANCE,
    WRITERS,
    WRITERS_NOTES,
    PUBLIC,
    PUBLIC_NOTES,
    HALL,
    HALL_NOTES,
    *(section for _, section, _ in DEMO_X100.values()),
    SCALE,
]
SIMILAR_TARGET = 100.0


def sh(*cmd: str) -> str:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, cwd=common.ROOT, check=False
        ).stdout.strip()
    except OSError:
        return ""


machine = common.machine  # the machine in one line (the server benches' sections say it too)


def git_commit() -> str:
    commit = sh("git", "rev-parse", "--short", "HEAD")
    subject = sh("git", "log", "-1", "--format=%s")
    dirty = sh("git", "status", "--porcelain", "--untracked-files=no")
    return f"`{commit}` ({subject[:80]})" + (" with uncommitted changes in the tree" if dirty else "")


def stream(cmd: list[str], env: dict) -> tuple[int, str]:
    """Run `cmd`, echoing and collecting its output."""
    print("$", " ".join(cmd), flush=True)
    full_env = {**os.environ, **env}
    if not full_env.get("DATABASE_URL"):
        full_env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        cmd,
        cwd=common.ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return proc.wait(), "".join(lines)


# --- search: a section made from search_bench.py's printed lines ---------------------------------------

LINE = re.compile(
    r"^\[(?P<engine>\w+)\]\s+(?P<label>.+?)\s+median\s+(?P<median>[\d.]+) ms\s+p95\s+(?P<p95>[\d.]+) ms"
    r"\s+max\s+(?P<max>[\d.]+) ms"
)
CPU = re.compile(r"cpu median\s+(?P<cpu>[\d.]+) ms")
RESULTS_N = re.compile(r"results median (?P<n>\d+)")


def search_section(output: str, args_note: str) -> tuple[str, list[tuple[str, str, float, float]]]:
    rows, notes, verdicts = [], [], []
    for line in output.splitlines():
        line = line.strip()
        m = LINE.match(line)
        if m:
            label = m["label"].strip()
            target = SIMILAR_TARGET if label.startswith("similar") else None
            p95 = float(m["p95"])
            verdict = "" if target is None else ("pass" if p95 < target else "**MISS**")
            cpu, n = CPU.search(line), RESULTS_N.search(line)
            rows.append(
                [
                    m["engine"],
                    label,
                    float(m["median"]),
                    p95,
                    float(m["max"]),
                    float(cpu["cpu"]) if cpu else float("nan"),
                    n["n"] if n else "",
                    f"< {target:.0f}" if target else "",
                    verdict,
                ]
            )
            if target:
                verdicts.append((f"search: {label}", m["engine"], p95, target))
        elif line.startswith("[") and ("indexed" in line or "load average" in line):
            notes.append(line)
    body = (
        f"`bench/search_bench.py` {args_note}: zhengxie.search alone (no page, no permission check) on "
        "synthetic documents. Times in ms. The issue's target for similar-proposal search is p95 < 100 ms.\n\n"
        + common.md_table(
            ["engine", "call", "median", "p95", "max", "CPU median", "results", "target", ""], rows
        )
        + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "")
    )
    return body, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        default="proposals,serverbench,handling,opinions,search,eval,routing,hottopics,performance,writers,public,hall,keytasks,supervision,"
        "appraisal,research,scale",
        help="comma-separated: proposals, serverbench, handling, opinions, search, eval, routing, hottopics, performance, writers, public, hall, "
        "keytasks, supervision, appraisal, research, scale",
    )
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes; print, do not write RESULTS.md")
    parser.add_argument(
        "--fresh", action="store_true", help="regenerate the proposals benchmark's cached data"
    )
    parser.add_argument(
        "--scales", default=None, help="scale_bench.py's sizes, e.g. 0.01,0.1 (default: the script's own)"
    )
    args = parser.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    started = time.perf_counter()
    header_machine, header_commit = machine(), git_commit()
    today = datetime.datetime.now().astimezone()
    stamp = f"_Measured {today:%Y-%m-%d %H:%M} at commit {header_commit}._\n\n"

    env_url = os.environ.get("DATABASE_URL", "")
    pg_url = args.pg_url or (
        env_url if env_url.startswith(("postgres://", "postgresql://")) else common.DEFAULT_PG
    )
    use_pg = not args.no_pg and common.pg_reachable(pg_url)
    print(f"PostgreSQL: {'yes, ' + common.pg_base(pg_url) if use_pg else 'no (SQLite only)'}", flush=True)
    # The benchmarks run SQLite first, then PostgreSQL when DATABASE_URL names a server.
    child_env = {"DATABASE_URL": f"{common.pg_base(pg_url)}/postgres"} if use_pg else {"DATABASE_URL": ""}

    sections: dict[str, str] = {}
    verdicts: list[tuple[str, str, float, float]] = []  # (what, engine, figure, target)
    counted: list[list[str]] = []  # summary rows of counts that must be 0 (writers: errors, lost writes)
    failures: list[str] = []  # shown under the summary
    errors = 0  # benchmarks that did not finish (make bench fails then; a missed target does not)
    py = sys.executable

    with tempfile.TemporaryDirectory(prefix="zx-bench-run-") as tmp:

        def json_cmd(script: str, prefix: str, quick: list[str], fresh: bool = False, extra=()):
            """The command line of a benchmark that writes --json and --markdown into the run's temp dir,
            with its smaller sizes under --quick; returns (cmd, json path, markdown path)."""
            out_json, out_md = Path(tmp) / f"{prefix}.json", Path(tmp) / f"{prefix}.md"
            cmd = [
                py,
                str(BENCH / script),
                "--engine",
                "both" if use_pg else "sqlite",
                "--pg-url",
                pg_url,
                "--json",
                str(out_json),
                "--markdown",
                str(out_md),
            ]
            if args.quick:
                cmd += quick
            if fresh:
                cmd.append("--fresh")
            return cmd + list(extra), out_json, out_md

        def run_json(script: str, section: str, prefix: str, quick: list[str], fresh: bool = False, extra=()):
            """Run a benchmark by json_cmd: its section of RESULTS.md, and what it wrote to --json; None
            when it failed (a failure under the summary, and make bench fails)."""
            nonlocal errors
            import json

            cmd, out_json, out_md = json_cmd(script, prefix, quick, fresh, extra)
            code, _ = stream(cmd, child_env)
            if code != 0:
                failures.append(f"{script} failed (exit {code})")
                errors += 1
                return None
            sections[section] = stamp + out_md.read_text()
            return json.loads(out_json.read_text())

        if "proposals" in only:
            import json

            cmd, out_json, out_md = json_cmd(
                "proposals_bench.py",
                "proposals",
                ["--proposals", "5000", "--small", "1000", "--requests", "10"],
                args.fresh,
            )
            code, _ = stream(cmd, child_env)
            if code == 0:
                sections[PROPOSALS] = stamp + out_md.read_text()
                for run in json.loads(out_json.read_text()):
                    for r in run["big_run"]["results"]:
                        verdicts.append((f"proposals: {r['label']}", run["engine"], r["p95"], r["target"]))
                    small = {(q["label"], q["probe"]): q["queries"] for q in run["small_run"]["queries"]}
                    for q in run["big_run"]["queries"]:
                        s = small.get((q["label"], q["probe"]))
                        if s is not None and s != q["queries"]:
                            failures.append(
                                f"{run['engine']}: {q['label']} runs {s} queries at {run['small']:,} "
                                f"proposals, {q['queries']} at {run['n']:,} (see Proposals)"
                            )
            else:
                failures.append(f"proposals_bench.py failed (exit {code})")
                errors += 1

        def json_bench(script: str, section: str, prefix: str, sizes, see: str, fresh: bool) -> None:
            """Run a benchmark that writes --json and --markdown (handling, opinions): its section, the
            verdicts of its targets and, as failures, any request whose query count grows with the data."""
            nonlocal errors
            import json

            cmd, out_json, out_md = json_cmd(
                script,
                prefix,
                ["--items", "5000", "--small", "1000", "--requests", "10", "--runs", "2"],
                fresh,
            )
            code, _ = stream(cmd, child_env)
            if code != 0:
                failures.append(f"{script} failed (exit {code})")
                errors += 1
                return
            sections[section] = stamp + out_md.read_text()
            for run in json.loads(out_json.read_text()):
                for r in run["big_run"]["results"]:
                    if r["target"] is not None:
                        verdicts.append((f"{prefix}: {r['label']}", run["engine"], r["p95"], r["target"]))
                small = {q["label"]: q["queries"] for q in run["small_run"]["queries"]}
                for q in run["big_run"]["queries"]:
                    s = small.get(q["label"])
                    if s is not None and s != q["queries"]:
                        failures.append(
                            f"{run['engine']}: {q['label']} runs {s} queries at {sizes(run['small'])}, "
                            f"{q['queries']} at {sizes(run['n'])} (see {see})"
                        )

        if "serverbench" in only:  # proposals behind gunicorn beside their floors, PostgreSQL only
            if not use_pg:
                failures.append("proposals_server_bench.py needs PostgreSQL: not measured")
            else:
                quick = ["--proposals", "5000", "--small", "1000", "--runs", "2", "--requests", "10"]
                quick += ["--seconds", "3", "--tp-runs", "1"]
                found = run_json("proposals_server_bench.py", SERVER, "serverbench", quick)
                counted += (found or {}).get("verdicts", [])

        if "handling" in only:
            json_bench(
                "handling_bench.py",
                HANDLING,
                "handling",
                lambda n: f"{n:,} + {n:,} items",
                "Handling spine",
                args.fresh and "proposals" not in only,
            )
        if "opinions" in only:
            json_bench(
                "opinions_bench.py", OPINIONS, "opinions", lambda n: f"{n:,} items", "社情民意", args.fresh
            )

        if "search" in only:
            cmd = [py, str(BENCH / "search_bench.py")]
            note = "(100,000 documents, 200 queries)"
            if args.quick:
                cmd += ["--docs", "10000", "--queries", "40"]
                note = "(10,000 documents, 40 queries)"
            code, output = stream(cmd, child_env)
            if code == 0:
                sections[SEARCH], found = search_section(output, note)
                sections[SEARCH] = stamp + sections[SEARCH]
                verdicts += found
            else:
                failures.append(f"search_bench.py failed (exit {code})")
                errors += 1

        if "eval" in only:  # similar() on the real taidi2020 messages, beside the classic baselines
            found = run_json("eval_similar.py", EVAL, "eval", ["--queries", "60", "--big", "20000"])
            for v in (found or {}).get("verdicts", []):
                if v["kind"] not in ("title_tune", "title_test"):  # (a)'s halves: (a)'s calls, timed once
                    verdicts.append((f"eval: similar() p95, {v['kind']}", v["engine"], v["p95"], 100.0))
                counted.append(
                    [
                        f"eval: {v['kind']} (at 5 / MRR) against {v['best']}",
                        v["engine"],
                        f"{v['at5']:.3f} / {v['mrr']:.3f}",
                        f">= {v['best_at5']:.3f} / {v['best_mrr']:.3f}",
                        "pass" if v["beats"] else "**MISS**",
                    ]
                )

        if "eval" in only:  # 疑似重复: the queues' groups on the taidi2020 messages, the review page's p95
            found = run_json(
                "eval_duplicates.py", DUPLICATES, "duplicates", ["--sizes", "200", "--requests", "10"]
            )
            for run in (found or {}).get("pages", []):
                for n, s in run["sizes"].items():
                    verdicts.append(
                        (f"eval: 疑似重复 review page, {int(n):,} waiting", run["engine"], s["p95"], 300.0)
                    )
            for engine, modes in (found or {}).get("quality", {}).get("ours", {}).items():
                for mode, e in modes.items():
                    base = found["quality"]["baseline"][mode]["test_best"]["f1"]
                    counted.append(
                        [
                            f"eval: 疑似重复 pair F1 ({mode}) against char-2-gram TF-IDF at its best",
                            engine,
                            f"{e['test_at_dev']['f1']:.3f} (threshold {e['threshold_dev']})",
                            f">= {base:.3f}",
                            "pass" if e["test_at_dev"]["f1"] >= base else "**MISS**",
                        ]
                    )

        if "eval" in only:  # 撰写助手: its rules on the taidi2020 messages, the check's and the panel's p95
            found = run_json("eval_drafting.py", DRAFTING, "drafting", ["--requests", "40"])
            for v in (found or {}).get("verdicts", []):
                what = "the API check" if v["what"] == "api" else "the typing panel"
                verdicts.append((f"drafting: {what} p95", v["engine"], v["p95"], 50.0))

        if "routing" in only:  # 智能分办: category and units against baselines, a suggestion's p95
            found = run_json("eval_routing.py", ROUTING, "routing", ["--quick"])
            if found:
                ours = found["category"]["rows"][0]
                best = max(
                    (r for r in found["category"]["rows"] if r["model"].startswith("baseline")),
                    key=lambda r: r["accuracy"],
                )
                beats = ours["accuracy"] > best["accuracy"] and ours["macro_f1"] > best["macro_f1"]
                counted.append(
                    [
                        "routing: category on the taidi2020 test split (accuracy / macro-F1)",
                        "—",
                        f"{ours['accuracy']:.3f} / {ours['macro_f1']:.3f}",
                        f"> {best['accuracy']:.3f} / {best['macro_f1']:.3f}",
                        "pass" if beats else "**MISS**",
                    ]
                )
                for run in found["runs"]:
                    for what, key in (("API request", "api"), ("the card page", "card")):
                        p95 = run["latency"][key]["p95"]
                        verdicts.append((f"routing: a suggestion ({what})", run["engine"], p95, 50.0))

        if "hottopics" in only:  # 热点: clustering quality beside k-means, time and memory as texts grow
            run_json("eval_hottopics.py", HOTTOPICS, "hottopics", ["--quick"])

        if "performance" in only:
            cmd = [py, str(BENCH / "performance_bench.py")]
            if args.quick:
                cmd += ["--members", "500", "--records", "50000", "--requests", "40", "--no-write"]
            code, output = stream(cmd, child_env)  # writes its own section of RESULTS.md
            if code != 0:
                failures.append(f"performance_bench.py failed (exit {code})")
                errors += 1
            engine = None
            for line in output.splitlines():
                m = re.match(
                    r"^\[(\w+)\] TARGETS: pages p95 < 150 ms -> worst ([\d.]+) ms \w+; "
                    r"recompute < 10 s -> ([\d.]+) s",
                    line.strip(),
                )
                if m:
                    engine = m[1]
                    verdicts.append(
                        ("performance: archive/ranking pages, worst p95", engine, float(m[2]), 150.0)
                    )
                    verdicts.append(("performance: recompute a year (s)", engine, float(m[3]), 10.0))

        if "writers" in only:
            import json

            cmd, out_json, out_md = json_cmd(
                "writers_bench.py", "writers", ["--writers", "10", "--rounds", "3", "--runs", "1"]
            )
            code, _ = stream(cmd, child_env)
            if code == 0:
                sections[WRITERS] = stamp + out_md.read_text()
                for run in json.loads(out_json.read_text()):
                    lost = len(run["lost"]) + len(run["phantom"])
                    for what, n in (("errors", run["errors"]), ("lost writes", lost)):
                        counted.append(
                            [
                                f"writers: {what} in {run['requests']:,} requests",
                                run["engine"],
                                str(n),
                                "= 0",
                                "pass" if n == 0 else "**MISS**",
                            ]
                        )
            else:
                failures.append(f"writers_bench.py failed (exit {code})")
                errors += 1

        if "public" in only:
            quick = [
                "--clients",
                "20",
                "--runs",
                "1",
                "--items",
                "5000",
                "--requests",
                "10",
                "--list-runs",
                "2",
            ]
            found = run_json("public_bench.py", PUBLIC, "public", quick, args.fresh)
            if found:
                counted += burst_rows("public: submit burst", found["bursts"])
                for run in found["lists"]:
                    for r in run["big_run"]["results"]:
                        if r["target"] is not None:
                            verdicts.append((f"public: {r['label']}", run["engine"], r["p95"], r["target"]))
                    small = {q["label"]: q["queries"] for q in run["small_run"]["queries"]}
                    for q in run["big_run"]["queries"]:
                        s = small.get(q["label"])
                        if s is not None and s != q["queries"]:
                            failures.append(
                                f"{run['engine']}: {q['label']} runs {s} queries at {run['small']:,} "
                                f"suggestions, {q['queries']} at {run['n']:,} (see 微建议)"
                            )

        if "hall" in only:  # 网络议政: the comment burst and the hall at 100,000 comments
            found = run_json("hall_bench.py", HALL, "hall", ["--quick"], args.fresh)
            if found:
                counted += burst_rows("hall: comment burst", found["bursts"])
                for run in found["pages"]:
                    verdicts += [
                        (f"hall: {r['label']}", run["engine"], r["p95"], 150.0) for r in run["results"]
                    ]

        for name, (script, section, see) in DEMO_X100.items():  # the lists at demo x100 (x10 under --quick)
            if name not in only:
                continue
            quick = ["--factor", "10", "--requests", "10", "--runs", "2"]
            for run in run_json(script, section, name, quick, args.fresh) or []:
                small, big = run["small_run"]["counts"], run["big_run"]["counts"]
                for r in run["big_run"]["rows"]:
                    verdicts.append((f"{name}: {r['label']}", run["engine"], r["p95"], r["target"]))
                    if small[r["label"]] != big[r["label"]]:
                        failures.append(
                            f"{run['engine']}: {r['label']} runs {small[r['label']]} queries on the demo, "
                            f"{big[r['label']]} at x{run['factor']} (see {see})"
                        )

        if "scale" in only:  # the 政协云 case: provinces of growing size, PostgreSQL only
            if not use_pg:
                failures.append("scale_bench.py needs PostgreSQL: not measured")
            else:
                quick = [
                    "--scales",
                    "0.01",
                    "--requests",
                    "5",
                    "--runs",
                    "1",
                    "--seconds",
                    "3",
                    "--tp-runs",
                    "1",
                ]
                sizes = ["--scales", args.scales] if args.scales else []
                found = run_json("scale_bench.py", SCALE, "scale", quick, extra=sizes)
                for run in (found or [])[-1:]:
                    for r in run["rows"]:
                        if r["target"]:
                            verdicts.append(
                                (f"scale: {r['label']} @{run['scale']}", "postgresql", r["p95"], r["target"])
                            )

    minutes = (time.perf_counter() - started) / 60
    summary_rows = [
        [what, engine, figure, f"< {target:g}", "pass" if figure < target else "**MISS**"]
        for what, engine, figure, target in verdicts
    ]
    rank = {
        "proposals": 0,
        "serverbench": 0.5,
        "handling": 1,
        "opinions": 2,
        "search": 3,
        "eval": 3.5,
        "routing": 3.6,
        "hottopics": 3.7,
        "performance": 4,
        "writers": 5,
        "public": 6,
        "hall": 7,
        "keytasks": 8,
        "supervision": 9,
        "appraisal": 10,
        "research": 11,
        "scale": 12,
    }
    summary_rows = sorted(
        kept_summary_rows(only) + summary_rows + counted, key=lambda r: rank.get(r[0].split(":")[0], 12)
    )
    summary = (
        "Every p95 (ms; the recompute in s; for the writers a count) against its target; details in the "
        "sections below.\n\n"
        + common.md_table(["what", "engine", "p95", "target", ""], summary_rows)
        + ("\n\n" + "\n".join(f"- {f}" for f in failures) if failures else "")
    )
    header = (
        "# Benchmark results\n\n"
        f"Written by `make bench` (`bench/run.py`) on {today:%Y-%m-%d %H:%M %Z} in {minutes:.0f} min"
        f" ({', '.join(sorted(only))}; each section says when it was measured).\n\n"
        f"- Machine: {header_machine}.\n"
        f"- Commit: {header_commit}.\n"
        f"- Databases: SQLite {__import__('sqlite3').sqlite_version}"
        + (
            f"; PostgreSQL at {common.pg_base(pg_url).split('@')[-1]} ({pg_version(pg_url)})"
            if use_pg
            else "; PostgreSQL not reachable, not measured"
        )
        + ".\n"
        "- The machine is shared (other processes may run at the same time), so the figures are indicative;\n"
        "  re-run to compare.\n"
    )
    print("\n" + summary)
    if args.quick:
        print("\n(--quick: bench/RESULTS.md not written)")
        return
    sections["## Summary"] = summary
    common.write_results(header, sections, ORDER)
    print(f"\nwrote {common.RESULTS.relative_to(common.ROOT)}")
    if errors:
        sys.exit(1)


def burst_rows(what: str, bursts: list[dict]) -> list[list[str]]:
    """Summary rows of a burst benchmark (public, hall), per engine: its errors and lost answers, which
    must be 0, and its p95 beside the one-INSERT floor's (no target)."""
    rows = []
    for b in bursts:
        e, f = b["summary"]["endpoint"], b["summary"]["floor"]
        for kind, n in (("errors", e["errors"]), ("lost", e["lost"])):
            rows.append(
                [f"{what}, {kind} in {e['requests']:,} requests", b["engine"], str(n), "= 0"]
                + ["pass" if n == 0 else "**MISS**"]
            )
        rows.append(
            [
                f"{what} p95 ({e['throughput'] / f['throughput']:.2f} × the floor's "
                f"throughput, p95 {e['p95'] / f['p95']:.1f} × the floor's {f['p95']:.0f} ms)",
                b["engine"],
                f"{e['p95']:.1f}",
                "(no target)",
                "",
            ]
        )
    return rows


def kept_summary_rows(ran: set[str]) -> list[list[str]]:
    """The summary rows of the benchmarks not run this time (--only), as RESULTS.md has them."""
    if not common.RESULTS.exists():
        return []
    _, present = common.split_sections(common.RESULTS.read_text(encoding="utf-8"))
    body = dict(present).get("## Summary", "")
    rows = []
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            line.startswith("| ")
            and len(cells) == 5
            and ":" in cells[0]
            and cells[0].split(":")[0] not in ran
        ):
            rows.append(cells)
    return rows


pg_version = common.pg_version


if __name__ == "__main__":
    main()
