"""The 政协云 case: a province's year pages, tables and API lists on PostgreSQL behind gunicorn.

    .venv/bin/python bench/scale_bench.py                              # scales 0.01, 0.1, 0.3
    .venv/bin/python bench/scale_bench.py --scales 0.01,0.1 --json out.json --markdown out.md

For each scale: a throw-away PostgreSQL database, `manage.py migrate`, then `manage.py loadscale --scale s`
(zhengxie/yearbook/scale.py: 1 province, 14 cities, 120 counties; at 1.0 50,000 users, 5 years, ~1,000,000
proposals, 500,000 社情民意 items, 2,000,000 duty records), timed, with the time to compute every
committee's snapshots. Then gunicorn as `make run` starts it (deploy/gunicorn.conf.py, --workers processes
× --threads threads; bench/scale_floor_settings.py adds the floors' URLs) and, with one keep-alive client
per logged-in user, interleaved runs (common.interleaved_runs) of:

- a county's year page (/yearbook/), its city's page and table of counties (/yearbook/levels/), the
  province's year page and table of cities; the API's /yearbook, /yearbook/levels, /proposals and
  /opinions for a county, a city and the province;
- beside each, a floor: a bare view behind the same middleware and login doing the one query it cannot
  avoid (the stored snapshots; a list's first page and count over the user's subtree).

Then the API list's throughput with 1, 2 and 4 gunicorn processes (8 clients for --seconds each, the
median of --tp-runs), the hourly job (yearbook.refresh: this year's recount of every committee) and the
freshness: a late reply through proposals' own service, the county's figure read before, right after
(still the stored one) and once the snapshot is past `yearbook.max_age_minutes` (the next read recounts).
The load average is printed with every figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PAGE_TARGET, PROVINCE_TARGET, API_TARGET = 300.0, 1000.0, 150.0
COUNTY, CITY, PROVINCE = "sc-c00-k00", "sc-c00", "sc-p"


# =====================================================================================================
# Children (on the generated database)
# =====================================================================================================


def setup() -> dict:
    """Logged-in sessions and API tokens for the county's office and info, the city's and the province's
    staff and info; the organisations' ids."""
    common.setup_django()
    from django.utils import timezone

    from zhengxie.core.models import Organisation, User

    who = {}
    for code in (COUNTY, CITY, PROVINCE):
        for role in ("office", "staff", "info"):
            who[f"{code}-{role}"] = common.server_credentials(User.objects.get(username=f"{code}-{role}"))
    ids = {code: Organisation.objects.get(code=code).pk for code in (COUNTY, CITY, PROVINCE)}
    return {"who": who, "ids": ids, "year": timezone.localdate().year}


def hourly_job() -> dict:
    """yearbook.refresh as the scheduler runs it (this year, every committee), timed."""
    common.setup_django()
    from zhengxie.yearbook import services

    t0 = time.perf_counter()
    n = services.refresh_all()
    return {"seconds": time.perf_counter() - t0, **n, "load": common.load_avg()}


def late_reply() -> dict:
    """A unit replies late (past the deadline) to one of the county's proposals of this year, through
    proposals.services.proposal_reply, as the handler would."""
    common.setup_django()
    from django.utils import timezone

    from zhengxie.core.models import User
    from zhengxie.core.notifications import external_delivery_muted
    from zhengxie.handling.models import Assignment
    from zhengxie.proposals.models import Proposal
    from zhengxie.proposals.services.handling import proposal_reply

    year = timezone.localdate().year
    p = (
        Proposal.objects.filter(
            organisation__code=COUNTY, session__year=year, status__in=("handling", "assigned"), light="red"
        ).first()
        or Proposal.objects.filter(organisation__code=COUNTY, session__year=year, status="handling").first()
    )
    lead = Assignment.objects.get(case_id=p.case_id, role="lead", is_active=True)
    handler = User.objects.get(handling_unit_id=lead.unit_id)
    with external_delivery_muted():
        proposal_reply(user=handler, proposal=p, result_class="C", content="因条件限制，留作今后工作参考。")
    return {"proposal": p.pk, "deadline": str(p.deadline), "late": p.deadline < timezone.localdate()}


def age_snapshot(minutes: int) -> dict:
    """The county's snapshot of this year as if counted `minutes` ago (the time a reader would wait)."""
    common.setup_django()
    import datetime

    from django.utils import timezone

    from zhengxie.yearbook.models import Snapshot

    n = Snapshot.objects.filter(organisation__code=COUNTY, year=timezone.localdate().year).update(
        computed_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return {"aged": n}


# =====================================================================================================
# HTTP
# =====================================================================================================


Clients = common.Clients  # one keep-alive connection per user (moved to bench/common.py)


def cases(ids: dict, year: int) -> list[tuple]:
    k, c, p = ids[COUNTY], ids[CITY], ids[PROVINCE]
    o, s, i = f"{COUNTY}-office", f"{CITY}-staff", f"{PROVINCE}-staff"
    snap = "/bench-floor/snapshots/?year=" + str(year)
    return [
        ("county: year page /yearbook/", o, "page", f"/yearbook/?org={k}&year={year}", PAGE_TARGET),
        ("floor: county's two snapshots", o, "page", f"{snap}&org={k}", None),
        ("city: year page /yearbook/", s, "page", f"/yearbook/?org={c}&year={year}", PAGE_TARGET),
        (
            "city: its counties /yearbook/levels/",
            s,
            "page",
            f"/yearbook/levels/?org={c}&year={year}",
            PAGE_TARGET,
        ),
        ("floor: city's counties' snapshots", s, "page", f"{snap}&org={c}&below=1", None),
        ("province: year page /yearbook/", i, "page", f"/yearbook/?org={p}&year={year}", PROVINCE_TARGET),
        (
            "province: its cities /yearbook/levels/",
            i,
            "page",
            f"/yearbook/levels/?org={p}&year={year}",
            PROVINCE_TARGET,
        ),
        ("floor: province's cities' snapshots", i, "page", f"{snap}&org={p}&below=1", None),
        ("API county GET /yearbook", o, "api", f"/api/v1/yearbook?year={year}", PAGE_TARGET),
        ("API city GET /yearbook/levels", s, "api", f"/api/v1/yearbook/levels?year={year}", PAGE_TARGET),
        ("API county GET /proposals", f"{COUNTY}-staff", "api", "/api/v1/proposals", API_TARGET),
        ("API city GET /proposals", s, "api", "/api/v1/proposals", API_TARGET),
        ("API province GET /proposals", i, "api", "/api/v1/proposals", API_TARGET),
        ("floor: province's proposals (page + count)", i, "page", "/bench-floor/proposals/", None),
        ("API county GET /opinions", f"{COUNTY}-info", "api", "/api/v1/opinions", API_TARGET),
        ("API province GET /opinions", f"{PROVINCE}-info", "api", "/api/v1/opinions", API_TARGET),
        (
            "floor: province's opinions (page + count)",
            f"{PROVINCE}-info",
            "page",
            "/bench-floor/opinions/",
            None,
        ),
    ]


FLOOR_OF = {
    "county: year page /yearbook/": "floor: county's two snapshots",
    "API county GET /yearbook": "floor: county's two snapshots",
    "city: its counties /yearbook/levels/": "floor: city's counties' snapshots",
    "API city GET /yearbook/levels": "floor: city's counties' snapshots",
    "province: its cities /yearbook/levels/": "floor: province's cities' snapshots",
    "API province GET /proposals": "floor: province's proposals (page + count)",
    "API province GET /opinions": "floor: province's opinions (page + count)",
}


throughput = common.throughput  # n clients for some seconds: requests/s (moved to bench/common.py)


# =====================================================================================================
# One scale
# =====================================================================================================


def run_scale(scale: float, args, log) -> dict:
    name = f"zx_scale_{os.getpid()}_{str(scale).replace('.', '_')}"
    url = args.url or common.pg_create(args.pg_url, name)
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "TASKS_BACKEND": "immediate"}
    out: dict = {"scale": scale}
    try:
        with tempfile.TemporaryDirectory(prefix="zx-scale-", dir=args.tmpdir) as tmp_name:
            tmp = Path(tmp_name)
            py = sys.executable
            t0 = time.perf_counter()
            if args.url:  # an earlier loadscale's database, with what its --json said (or nothing)
                gen = json.loads(Path(args.gen_json).read_text()) if args.gen_json else {}
                out["generation"] = {"counts": {}, "timings": {}, **gen}
                out["reused"] = True
            else:
                subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=common.ROOT, env=env, check=True)
                out["migrate_s"] = time.perf_counter() - t0
                log(f"[scale {scale}] loadscale, load {common.load_avg()} ...")
                t0 = time.perf_counter()
                cmd = [py, "manage.py", "loadscale", "--scale", str(scale), "--json", str(tmp / "gen.json")]
                subprocess.run(cmd, cwd=common.ROOT, env=env, check=True)
                out["generation"] = json.loads((tmp / "gen.json").read_text())
            out["generate_wall_s"] = (
                out["generation"]["timings"].get("total", 0) if args.url else time.perf_counter() - t0
            )
            out["load_after_generation"] = common.load_avg()
            prepared = common.child_json(__file__, "setup", url, [], tmp / "setup.json")
            out["hourly_job"] = common.child_json(__file__, "job", url, [], tmp / "job.json")
            log(f"[scale {scale}] hourly job: {out['hourly_job']['seconds']:.1f} s, load {common.load_avg()}")
            ids, year, who = prepared["ids"], prepared["year"], prepared["who"]
            server = common.Server(url, tmp, args.workers, args.threads, False)
            server.env["DJANGO_SETTINGS_MODULE"] = "bench.scale_floor_settings"
            with server:
                http_ = Clients(server.port, who)
                for _label, user, kind, u, _ in cases(ids, year):  # warm every worker's imports and caches
                    for _ in range(args.workers * 2):
                        http_.get(user, kind, u)
                load0 = common.load_avg()
                rows = common.interleaved_runs(
                    cases(ids, year),
                    http_.get,
                    n_requests=args.requests,
                    n_runs=args.runs,
                    budget=args.budget,
                    seed=13,
                )
                for r in rows:
                    r["floor"] = FLOOR_OF.get(r["label"])
                out["rows"], out["load"] = rows, {"start": load0, "end": common.load_avg()}
                # freshness: a late reply, read before, at once, and past the stated freshness
                fig = f"/api/v1/yearbook?year={year}"

                def classes():
                    data = json.loads(http_.get(f"{COUNTY}-office", "api", fig))
                    part = next(p for p in data["parts"] if p["key"] == "proposals")
                    return {f["key"]: f["value"] for f in part["figures"]}, data["computed_at"]

                before, t_before = classes()
                reply = common.child_json(__file__, "late-reply", url, [], tmp / "reply.json")
                at_once, t_once = classes()
                common.child_json(__file__, "age", url, ["--minutes", "61"], tmp / "age.json")
                t0 = time.perf_counter()
                after, t_after = classes()
                stale_read_ms = (time.perf_counter() - t0) * 1000
                out["freshness"] = {
                    "reply": reply,
                    "before": before,
                    "at_once": at_once,
                    "after": after,
                    "changed_at_once": at_once != before,
                    "changed_after": after != before,
                    "stale_read_ms": stale_read_ms,
                    "computed": [t_before, t_once, t_after],
                }
                log(f"[scale {scale}] freshness: {out['freshness']}")
            if args.throughput and scale == args.scales[-1]:
                out["throughput"] = {}
                path = "/api/v1/proposals"
                for workers in (1, 2, 4):
                    server = common.Server(url, tmp, workers, args.threads, False)
                    with server:
                        # warm-up: every process answers (imports, connections) before the timed runs
                        throughput(server.port, who, path, f"{CITY}-staff", args.clients, 4.0)
                        runs = [
                            throughput(server.port, who, path, f"{CITY}-staff", args.clients, args.seconds)
                            for _ in range(args.tp_runs)
                        ]
                    out["throughput"][workers] = {
                        "rps": statistics.median(r["rps"] for r in runs),
                        "runs": runs,
                    }
                    log(
                        f"[scale {scale}] throughput with {workers} process(es): {out['throughput'][workers]}"
                    )
    finally:
        if not args.url:
            common.pg_drop(args.pg_url, name)
    return out


# =====================================================================================================
# Report
# =====================================================================================================


def markdown(runs: list[dict], args) -> str:
    parts = []
    big = runs[-1]
    c = {"committees": 0, "users": 0, "proposals": 0, "opinions": 0, "duty_records": 0}
    c.update(big["generation"]["counts"])
    parts.append(
        f"PostgreSQL, gunicorn {args.workers} processes × {args.threads} threads (`make run`'s), one keep-alive "
        f"client per user, {os.cpu_count()} cores shared with other work. Largest scale measured: "
        f"**{big['scale']}** of the issue's sizes — {c['committees']} committees, {c['users']:,} users, "
        f"{c['proposals']:,} proposals, {c['opinions']:,} 社情民意 items, {c['duty_records']:,} duty records "
        f"(generated in {big['generate_wall_s'] / 60:.1f} min, load {big['load_after_generation']} after)."
    )
    grow = [
        [
            str(r["scale"]),
            f"{r['generation']['counts'].get('users', 0):,}",
            f"{r['generation']['counts'].get('proposals', 0):,}",
            f"{r['generation']['counts'].get('opinions', 0):,}",
            f"{r['generation']['counts'].get('duty_records', 0):,}",
            f"{r['generate_wall_s']:.0f}",
            f"{r['generation']['timings'].get('snapshots', 0):.0f}",
            f"{r['hourly_job']['seconds']:.1f} ({r['hourly_job']['load']})",
            r.get("load_after_generation", ""),
        ]
        for r in runs
    ]
    parts.append(
        "Growth (each row a fresh database; times in s: `loadscale` in all, of which the snapshots of this "
        "year and last for every committee; the hourly job recounting this year for every committee):\n\n"
        + common.md_table(
            [
                "scale",
                "users",
                "proposals",
                "社情民意",
                "duty records",
                "generate s",
                "snapshots s",
                "hourly job s (load)",
                "load after generating",
            ],
            grow,
        )
    )
    labels = [r["label"] for r in big["rows"]]
    table = []
    for label in labels:
        row = [label]
        for r in runs:
            x = next((y for y in r["rows"] if y["label"] == label), None)
            row.append(f"{x['p95']:.0f}" if x else "—")
        x = next(y for y in big["rows"] if y["label"] == label)
        t = x["target"]
        row += [
            f"{x['p50']:.0f}",
            f"<= {t:.0f}" if t else "",
            "" if not t else ("pass" if x["p95"] <= t else "**MISS**"),
        ]
        table.append(row)
    parts.append(
        "p95 in ms at each scale (medians over the runs), p50 at the largest, load average "
        f"{big['load']['start']} → {big['load']['end']} during the largest's runs:\n\n"
        + common.md_table(
            ["request", *[f"p95 @{r['scale']}" for r in runs], "p50 (largest)", "target", ""], table
        )
    )
    ratios = common.floor_ratios(big["rows"])
    if ratios:
        parts.append(
            "Against the floors (the one query each cannot avoid, same run):\n\n" + "\n".join(ratios)
        )
    tp = big.get("throughput")
    if tp:
        one = tp[1]["rps"] if 1 in tp else tp["1"]["rps"]
        lines = [
            f"- {w} process(es): {v['rps']:.1f} req/s ({v['rps'] / one:.2f}× one process); load "
            + "; ".join(f"{x['load'][0]} → {x['load'][1]}" for x in v["runs"])
            + (
                f"; errors {sum(x['errors'] for x in v['runs'])}"
                if any(x["errors"] for x in v["runs"])
                else ""
            )
            for w, v in tp.items()
        ]
        parts.append(
            f"Throughput of `GET /api/v1/proposals` (the city's staff, {args.clients} clients for {args.seconds:.0f} s, "
            f"median of {args.tp_runs} runs, {args.threads} threads per process) on {os.cpu_count()} cores:\n\n"
            + "\n".join(lines)
        )
    f = big["freshness"]
    parts.append(
        f"Freshness: proposal {f['reply']['proposal']} (deadline {f['reply']['deadline']}, late: "
        f"{f['reply']['late']}) answered through `proposal_reply`. The county's figures right after: "
        f"{'changed' if f['changed_at_once'] else 'unchanged (the stored snapshot, counted ' + str(f['computed'][1]) + ')'}; "
        f"once the snapshot is older than `yearbook.max_age_minutes` (60): "
        f"{'changed' if f['changed_after'] else '**unchanged**'} — that read recounted the county in "
        f"{f['stale_read_ms']:.0f} ms. So a late reply shows within the hour the page states (at once after 立即刷新), "
        f"and the hourly job recounting every committee took {big['hourly_job']['seconds']:.0f} s."
    )
    return "\n\n".join(parts)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p, engine="postgresql", pg_url=common.DEFAULT_PG)
    p.add_argument("--scales", default="0.01,0.1,0.3")
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--budget", type=float, default=15.0)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--tp-runs", type=int, default=3)
    p.add_argument("--no-throughput", dest="throughput", action="store_false")
    p.add_argument("--url", help="measure this loadscale database instead of generating (kept afterwards)")
    p.add_argument("--gen-json", help="with --url: what that database's `loadscale --json` wrote")
    p.add_argument(
        "--merge", default="", help="earlier runs' --json files (comma-separated) shown before these"
    )
    p.add_argument("--child", choices=["setup", "job", "late-reply", "age"])
    p.add_argument("--minutes", type=int, default=61)
    args = p.parse_args()
    modes = {
        "setup": setup,
        "job": hourly_job,
        "late-reply": late_reply,
        "age": lambda: age_snapshot(args.minutes),
    }
    if common.child_mode(args, modes):
        return
    args.scales = [float(x) for x in args.scales.split(",") if x.strip()]
    if not common.pg_reachable(args.pg_url):
        sys.exit(f"PostgreSQL not reachable at {args.pg_url}")
    runs = [run for f in args.merge.split(",") if f.strip() for run in json.loads(Path(f).read_text())]
    for s in args.scales:
        t0 = time.perf_counter()
        runs.append(run_scale(s, args, common.log))
        common.log(f"[scale {s}] done in {time.perf_counter() - t0:.0f} s")
    common.write_outputs(args, runs, markdown(runs, args))


if __name__ == "__main__":
    main()
