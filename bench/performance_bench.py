"""Benchmark of duty performance (zhengxie.performance): 5,000 members and 1,000,000 duty records, then
p95 of the archive (一员一档) and ranking pages through the Django test Client, and the time to recompute
a year for everyone. Not part of the test suite.

    .venv/bin/python bench/performance_bench.py                 # SQLite (a throw-away file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/performance_bench.py
                                                                # ... and PostgreSQL (throw-away database
                                                                # zx_perf_bench_<pid> on that server)
Options: --members N (default 5000), --records N (default 1000000), --requests N (default 200).
Targets: archive/ranking p95 < 150 ms, recompute of a year < 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Relative frequency of acts in the synthetic records (attendance and activities dominate, as in life).
WEIGHTS = {
    "plenary_attend": 2,
    "plenary_leave": 1,
    "plenary_absent": 1,
    "standing_attend": 2,
    "standing_leave": 1,
    "standing_absent": 1,
    "chair_meeting_attend": 2,
    "committee_meeting_attend": 10,
    "sector_activity": 10,
    "inspection": 8,
    "research": 8,
    "training": 10,
    "lecture": 3,
    "online_duty": 8,
    "speech_written": 4,
    "speech_oral": 4,
    "proposal_submit": 6,
    "proposal_accept": 4,
    "proposal_key": 1,
    "proposal_excellent": 1,
    "opinion_submit": 6,
    "opinion_adopt": 3,
    "opinion_instruction": 1,
    "self_report": 2,
    "public_welfare": 6,
}


def stats(name: str, seconds: list[float]) -> tuple[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    return (
        f"{name:<34} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"
        f"   (n={len(ms)})",
        p95,
    )


def run(engine: str, n_members: int, n_records: int, n_requests: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    warnings.simplefilter("ignore", DeprecationWarning)

    django.setup()
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from zhengxie.core.models import Organisation, Role, User
    from zhengxie.members.models import Member, Sector, SpecialCommittee, Term
    from zhengxie.performance import schemes, scoring
    from zhengxie.performance.demo import save_template
    from zhengxie.performance.models import DutyRecord, MemberYearScore, SelfReport
    from zhengxie.performance.schemes import q

    rng = random.Random(2026)
    out = []

    def say(line):
        print(f"[{engine}] {line}", flush=True)
        out.append(line)

    t0 = time.perf_counter()
    city = Organisation.add_root(name="江州市政协", kind="city", code="bench-city")
    county = city.add_child(name="青川县政协", kind="county", code="bench-county", region="青川县")
    towns = [
        county.add_child(name=f"镇{i}联络组", short_name=f"镇{i}", kind="liaison", code=f"bench-town{i}")
        for i in range(12)
    ]
    term = Term.objects.create(
        organisation=county, number=14, name="第十四届", is_current=True, start_date=datetime.date(2022, 1, 1)
    )
    sectors = Sector.objects.bulk_create(
        [Sector(organisation=county, name=f"界别{i}", order=i) for i in range(20)]
    )
    committees = SpecialCommittee.objects.bulk_create(
        [SpecialCommittee(organisation=county, name=f"专委会{i}", order=i) for i in range(8)]
    )
    now = timezone.now()
    User.objects.bulk_create(
        [
            User(
                username=f"b{i:05d}",
                name=f"委员{i}",
                organisation=county,
                password="!",
                password_changed_at=now,
            )
            for i in range(n_members)
        ],
        batch_size=2000,
    )
    users = list(User.objects.filter(username__startswith="b").order_by("pk"))
    Member.objects.bulk_create(
        [
            Member(
                user=u,
                organisation=county,
                term=term,
                name=u.name,
                gender="M",
                sector=rng.choice(sectors),
                liaison_group=rng.choice(towns),
                is_standing=(i % 6 == 0),
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    members = list(Member.objects.filter(organisation=county).order_by("pk").values_list("pk", flat=True))
    through = Member.committees.through
    through.objects.bulk_create(
        [
            through(member_id=m, specialcommittee_id=c.pk)
            for m in members
            for c in rng.sample(committees, rng.choice([1, 1, 2]))
        ],
        batch_size=5000,
    )
    group = Group.objects.get_or_create(name=Role.MEMBER)[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=5000
    )
    staff = User.objects.create(
        username="bench-staff", name="工作人员", organisation=county, password_changed_at=now
    )
    staff.set_roles([Role.STAFF])
    admin = User.objects.create(
        username="bench-admin", name="管理员", organisation=city, password_changed_at=now
    )
    admin.set_roles([Role.SYSADMIN])
    year = timezone.localdate().year
    save_template(county, year, "tongcheng", admin)
    resolved = scoring.resolve(county.pk, year)
    say(f"{n_members} members in {time.perf_counter() - t0:.1f} s")

    # 1,000,000 records: 80 % this year, 20 % last year; a few joint shares; every one with its own source.
    ct = ContentType.objects.get_for_model(SelfReport)
    acts, weights = list(WEIGHTS), list(WEIGHTS.values())
    t0 = time.perf_counter()
    batch, made, sid = [], 0, 0
    while made < n_records:
        chunk = min(20000, n_records - made)
        picks = rng.choices(acts, weights, k=chunk)
        for act in picks:
            sid += 1
            y = year if rng.random() < 0.8 else year - 1
            share = Decimal(1) if rng.random() < 0.9 else Decimal("0.5")
            rule = resolved.rule_for(act)
            batch.append(
                DutyRecord(
                    member_id=rng.choice(members),
                    organisation_id=county.pk,
                    year=y,
                    act=act,
                    category=rule.category,
                    points=q(rule.points * share),
                    share=share,
                    source_ct=ct,
                    source_id=str(sid),
                    source_repr=f"来源{sid}",
                    occurred_on=datetime.date(y, rng.randint(1, 12), rng.randint(1, 28)),
                )
            )
        DutyRecord.objects.bulk_create(batch, batch_size=5000)
        made += chunk
        batch = []
    say(f"{made} duty records (bulk_create) in {time.perf_counter() - t0:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE performance_dutyrecord")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    # Recompute a year for everyone: one aggregate query grouped by (member, act).
    timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        n = scoring.recompute_year(county.pk, year)
        timings.append(time.perf_counter() - t0)
    say(
        f"recompute_year ({n} members, {DutyRecord.objects.filter(year=year).count()} records): "
        f"best {min(timings):.2f} s, worst {max(timings):.2f} s"
    )
    scoring.recompute_year(county.pk, year - 1)
    recompute_worst = max(timings)

    c = Client()
    c.force_login(staff)
    sample = rng.sample(members, min(n_requests, len(members)))
    c.get(f"/performance/members/{sample[0]}/?year={year}")  # warm up

    results = []

    def measure(label, urls):
        t = []
        for u in urls:
            t0 = time.perf_counter()
            r = c.get(u)
            t.append(time.perf_counter() - t0)
            assert r.status_code == 200, (u, r.status_code)
        line, p95 = stats(label, t)
        say(line)
        results.append((label, p95))

    per_member = MemberYearScore.objects.filter(year=year, record_count__gt=0).count()
    avg = DutyRecord.objects.filter(year=year).count() / max(per_member, 1)
    say(f"(archive: about {avg:.0f} records per member this year)")
    measure(
        "archive page /performance/members/<id>/", [f"/performance/members/{m}/?year={year}" for m in sample]
    )
    measure("API /api/v1/members/<id>/duty", [f"/api/v1/members/{m}/duty?year={year}" for m in sample[:100]])
    pages = max(1, n_members // 30)
    for by in ("sector", "committee", "liaison"):
        measure(
            f"rankings page by={by}",
            [
                f"/performance/rankings/?year={year}&by={by}&page={rng.randint(1, pages)}"
                for _ in range(n_requests // 4)
            ],
        )
    measure(
        "rankings page by=sector&group=<id>",
        [
            f"/performance/rankings/?year={year}&by=sector&group={s.pk}"
            for s in rng.choices(sectors, k=n_requests // 4)
        ],
    )
    measure(
        "API /api/v1/rankings?by=committee",
        [
            f"/api/v1/rankings?year={year}&by=committee&page={rng.randint(1, 50)}"
            for _ in range(n_requests // 4)
        ],
    )
    measure("warnings page (all members)", [f"/performance/warnings/?year={year}"] * 10)

    # A scheme change, step by step as the background task runs it: totals first (they read the scheme, not
    # the stored points), then re-valuing the stored points of the records (every rule changed: worst case).
    from django.db.models import F

    from zhengxie.performance.models import ScoringRule, ScoringScheme

    ScoringRule.objects.filter(scheme__organisation=county, scheme__year=year).update(points=F("points") + 1)
    ScoringScheme.objects.filter(organisation=county, year=year).update(
        updated_at=timezone.now()
    )  # new version
    t0 = time.perf_counter()
    scoring.recompute_year(county.pk, year)
    say(f"scheme change: totals right (recompute) in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    changed = scoring.revalue_records(county.pk, year)
    say(
        f"scheme change: stored points of {changed} records re-valued (background) in "
        f"{time.perf_counter() - t0:.2f} s"
    )
    from zhengxie.performance.services import scheme_save

    t0 = time.perf_counter()
    scheme_save(user=admin, organisation=county, year=year, data=schemes.TONGCHENG)
    say(
        f"scheme change end to end (admin's save + task, all rules changed back): {time.perf_counter() - t0:.2f} s"
    )

    say(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, shared)")
    worst = max(p for label, p in results if not label.startswith("warnings"))
    say(
        f"TARGETS: pages p95 < 150 ms -> worst {worst:.1f} ms {'OK' if worst < 150 else 'MISSED'}; "
        f"recompute < 10 s -> {recompute_worst:.2f} s {'OK' if recompute_worst < 10 else 'MISSED'}"
    )
    with open(os.environ["PERF_BENCH_OUT"], "a") as fh:
        fh.write(f"\n**{engine}** ({connection.vendor}, {n_members} members, {n_records} records)\n\n```\n")
        fh.write("\n".join(out) + "\n```\n")
    connection.close()


def child(engine: str, url: str, args, out_file: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PERF_BENCH_OUT": out_file}
    cmd = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--members",
        str(args.members),
        "--records",
        str(args.records),
        "--requests",
        str(args.requests),
    ]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


SECTION = "## Performance (duty scores)"


def write_results(body: str) -> None:
    """Replace (or add) only our section of bench/RESULTS.md; other sections are left as they are."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = f"{SECTION}\n\n{body.strip()}\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()
    if args.child:
        run(args.child, args.members, args.records, args.requests)
        return
    import platform

    with tempfile.TemporaryDirectory(prefix="zx-perf-bench-") as tmp:
        out_file = f"{tmp}/out.md"
        child("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args, out_file)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            base, _, _ = url.rpartition("/")
            name = f"zx_perf_bench_{os.getpid()}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            try:
                child("postgresql", f"{base}/{name}", args, out_file)
            finally:
                with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        body = Path(out_file).read_text()
    header = (
        f"`bench/performance_bench.py`, run {datetime.date.today():%Y-%m-%d} on {platform.machine()} "
        f"({os.cpu_count()} cores, shared), Python {platform.python_version()}. Pages through the Django test "
        "Client logged in as staff (archive of a random member; rankings on random pages). Targets: "
        "archive/ranking p95 < 150 ms; recompute of a year for everyone < 10 s.\n"
    )
    if not args.no_write:
        write_results(header + body)
    print(body)


if __name__ == "__main__":
    main()
