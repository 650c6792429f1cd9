"""Time and memory of the 提案汇编 (.docx or PDF) of one big session, built as the background export builds it.

    .venv/bin/python bench/compilation_bench.py --proposals 1000 3000 10000
    .venv/bin/python bench/compilation_bench.py --proposals 1000 --format pdf

The data (SQLite, generated once per size and cached in bench/data/, git-ignored): the demo world
(`loaddemo --members 30`) and one new session of N registered (立案) proposals, written with bulk_create
in the states the services leave — numbered 1..N, a lead signer and up to three co-signers, a 主办 unit
and sometimes a 会办 unit, texts composed from the proposals benchmark's word lists (4–9 sentences of
reasons, 2–4 suggestions).

Each size is measured in a fresh child process (so its peak RSS is the build's own): the export row is
created and `core.exports.run` builds and stores the file, exactly what the worker does. Printed: wall
time, CPU time (the machine is shared: CPU time is the steadier figure), time per proposal, the time per
proposal of the first and the last tenth of the build (from the progress the builder reports: equal
when the cost is linear), the process's RSS before the build and its peak (ru_maxrss), the file's size.
Target (issue #16): the compilation of 10,000 proposals finishes with a peak RSS <= 300 MB, in a time
linear in proposals.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DATA_VERSION = 1
TARGET_RSS_MB = 300


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def generate(n: int, seed: int = 2026) -> dict:
    common.setup_django()
    import proposals_bench as pb
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("loaddemo", members=30, verbosity=0)

    from zhengxie.core.models import HandlingUnit, Organisation, User
    from zhengxie.members.models import Member, Session
    from zhengxie.proposals import reporting
    from zhengxie.proposals.models import Assignment, Proposal, Signer

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    county = Organisation.objects.get(code="demo-county")
    staff = User.objects.get(username="staff")
    current = Session.objects.get(organisation=county, is_current=True)
    session = Session.objects.create(
        term=current.term,
        organisation=county,
        number=9,
        name="第十四届第九次会议",
        year=2030,
        start_date=datetime.date(2030, 1, 8),
        end_date=datetime.date(2030, 1, 11),
    )
    members = list(Member.objects.filter(organisation=county).select_related("user"))
    units = list(HandlingUnit.objects.filter(organisation=county))
    S = Proposal.Status
    states = [S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED]
    made = 0
    while made < n:
        chunk = min(2000, n - made)
        with transaction.atomic():
            plans = []
            for k in range(made + 1, made + chunk + 1):
                topic, category, _bureau = rng.choice(pb.TOPICS)
                place = rng.choice(pb.PLACES)
                reasons = "\n".join(
                    rng.choice(pb.REASONS).format(
                        place=rng.choice(pb.PLACES), n=rng.randint(12, 900), topic=topic
                    )
                    for _ in range(rng.randint(4, 9))
                )
                suggestions = "\n".join(
                    f"{pb.NUMERALS[i]}是"
                    + s.format(
                        topic=topic,
                        action=rng.choice(pb.ACTIONS),
                        n=rng.randint(20, 500),
                        aspect=rng.choice(pb.ASPECTS),
                        place=place,
                    )
                    for i, s in enumerate(rng.sample(pb.SUGGESTIONS, rng.randint(2, 4)))
                )
                kind = rng.choices(["individual", "joint", "collective"], [66, 30, 4])[0]
                lead = None if kind == "collective" else rng.choice(members)
                at = datetime.datetime(2030, 1, 9, 10, tzinfo=tz)
                p = Proposal(
                    organisation=county,
                    session=session,
                    title=f"关于{rng.choice(pb.ACTIONS)}{place}{topic}{rng.choice(pb.ASPECTS)}的建议"[:200],
                    reasons=reasons,
                    suggestions=suggestions,
                    research_note="赴相关乡镇和部门开展实地调研，召开座谈会。" if rng.random() < 0.3 else "",
                    category=category,
                    kind=kind,
                    status=rng.choice(states),
                    author=lead.user if lead else staff,
                    lead_member=lead,
                    collective_body="民盟青川县委员会" if kind == "collective" else "",
                    number=k,
                    submitted_at=at,
                    accepted_at=at,
                    assigned_at=at,
                    deadline=datetime.date(2030, 4, 9),
                )
                cos = rng.sample(members, rng.randint(1, 3)) if kind == "joint" else []
                plans.append((p, lead, [m for m in cos if m is not lead]))
            Proposal.objects.bulk_create([p for p, _, _ in plans], batch_size=1000)
            reporting.open_cases([p for p, _, _ in plans])
            signers, assignments = [], []
            for p, lead, cos in plans:
                if lead is not None:
                    signers.append(Signer(proposal=p, member=lead, role="lead", status="agreed", order=0))
                signers += [
                    Signer(proposal=p, member=m, role="cosigner", status="agreed", order=i)
                    for i, m in enumerate(cos, 1)
                ]
                lead_unit = rng.choice(units)
                given = {"assigned_at": p.assigned_at, "assigned_by": staff, "deadline": p.deadline}
                assignments.append(Assignment(case_id=p.case_id, unit=lead_unit, role="lead", **given))
                co_unit = rng.choice(units)
                if rng.random() < 0.4 and co_unit.pk != lead_unit.pk:
                    assignments.append(Assignment(case_id=p.case_id, unit=co_unit, role="co", **given))
            Signer.objects.bulk_create(signers, batch_size=1000)
            Assignment.objects.bulk_create(assignments, batch_size=1000)
        made += chunk
        print(f"  ... {made} proposals ({time.perf_counter() - t0:.0f} s)", flush=True)
    reporting.sync(None)
    common.analyze(connection)
    connection.close()
    return {"session": session.pk, "generate_s": time.perf_counter() - t0}


def measure(session_id: int, fmt: str) -> dict:
    common.setup_django()
    from zhengxie.core import exports
    from zhengxie.core.models import Export, User
    from zhengxie.proposals.exports import COMPILATION

    staff = User.objects.select_related("organisation").get(username="staff")
    exports.get(COMPILATION)
    marks: list[tuple[float, float]] = []  # (seconds since start, percent reported)
    setter = exports.progress_setter

    def recording_setter(export_id):
        inner = setter(export_id)

        def progress(value):
            marks.append((time.perf_counter() - t0, value))
            inner(value)

        return progress

    exports.progress_setter = recording_setter
    export = Export.objects.create(
        user=staff,
        organisation=staff.organisation,
        kind=COMPILATION,
        title="提案汇编",
        params={"session": session_id, "format": fmt},
    )
    rss_before = _rss_mb()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    status = exports.run(str(export.pk))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    export.refresh_from_db()
    size = export.file.size if export.file else 0

    def at(percent):  # the first moment the progress reached `percent`
        return next((t for t, v in marks if v >= percent), wall)

    # The builder reports 5 when the proposals are read and 95 when the last is written: the first and
    # last tenth of the proposals are 5..14 and 86..95.
    first, last = at(14) - at(5), at(95) - at(86)
    return {
        "status": status,
        "error": export.error,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "file_mb": size / 1e6,
        "first_tenth_s": first,
        "last_tenth_s": last,
        "progress_updates": len(marks),
    }


def run_size(n: int, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="zx-compilation-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)

        def gen(url, out):
            return common.child_json(__file__, "generate", url, ["--proposals", str(n)], out)

        db, found = common.cached_sqlite_db(
            f"compilation-v{DATA_VERSION}-{n}",
            gen,
            tmp,
            args.fresh,
            common.log,
            f"a session of {n} proposals",
        )
        common.log(f"[sqlite] building the {args.format} compilation of {n} proposals ...")
        out = common.child_json(
            __file__,
            "measure",
            f"sqlite:///{db}",
            ["--session", str(found["session"]), "--format", args.format],
            tmp / "m.json",
        )
        db.unlink()
    out["n"] = n
    out["per_proposal_ms"] = out["wall_s"] * 1000 / n
    out["cpu_per_proposal_ms"] = out["cpu_s"] * 1000 / n
    out["first_tenth_ms"] = out["first_tenth_s"] * 1000 / (n / 10)
    out["last_tenth_ms"] = out["last_tenth_s"] * 1000 / (n / 10)
    return out


def markdown(rows: list[dict], fmt: str) -> str:
    table = common.md_table(
        [
            "proposals",
            "wall s",
            "CPU s",
            "ms / proposal (wall, CPU)",
            "first / last tenth ms per proposal",
            "RSS before MB",
            "peak RSS MB",
            "file MB",
            f"peak ≤ {TARGET_RSS_MB} MB",
        ],
        [
            [
                r["n"],
                f"{r['wall_s']:.1f}",
                f"{r['cpu_s']:.1f}",
                f"{r['per_proposal_ms']:.1f} / {r['cpu_per_proposal_ms']:.1f}",
                f"{r['first_tenth_ms']:.1f} / {r['last_tenth_ms']:.1f}",
                f"{r['rss_before_mb']:.0f}",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['file_mb']:.1f}",
                ("yes" if r["peak_rss_mb"] <= TARGET_RSS_MB else "**no**")
                + ("" if r["status"] == "done" else f" ({r['status']}: {r['error']})"),
            ]
            for r in rows
        ],
    )
    return f"提案汇编 ({fmt}) of one session, SQLite, one process, load average {common.load_avg()}:\n\n{table}\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--proposals", type=int, nargs="+", default=[1000, 3000, 10000])
    p.add_argument("--format", choices=["docx", "pdf"], default="docx")
    p.add_argument("--session", type=int)
    p.add_argument("--child", choices=["generate", "measure"])
    p.add_argument("--out")
    p.add_argument("--fresh", action="store_true", help="generate the data again")
    p.add_argument("--tmpdir", default=None)
    p.add_argument("--json")
    args = p.parse_args()
    if args.child == "generate":
        Path(args.out).write_text(json.dumps(generate(args.proposals[0])))
        return
    if args.child == "measure":
        Path(args.out).write_text(json.dumps(measure(args.session, args.format)))
        return
    rows = [run_size(n, args) for n in args.proposals]
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print(markdown(rows, args.format))


if __name__ == "__main__":
    main()
