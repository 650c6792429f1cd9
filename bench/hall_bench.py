"""The online hall (网络议政, issue 11): a burst of members commenting, and the hall's pages at 100,000 comments.

    .venv/bin/python bench/hall_bench.py                          # SQLite
    .venv/bin/python bench/hall_bench.py --engine postgresql      # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/hall_bench.py --engine both --json out.json --markdown out.md
    .venv/bin/python bench/hall_bench.py --only burst             # or --only page
    .venv/bin/python bench/hall_bench.py --quick                  # small sizes, prints only

1. Burst. `make run`'s server (gunicorn with deploy/gunicorn.conf.py, --workers processes × --threads
threads, default 3 × 4, DEBUG off, the database task queue and its worker: bench/writers_bench.py's Server)
on the demo world (writers_bench.py's cached file / dump) plus --clients generated members of 青川县政协,
each with an API token, and a new online hall open now. All clients wait at a barrier, then each does
--rounds × POST /api/v1/consultations/{id}/comments {content} (a new thread, or every second one a reply
to the client's previous comment) on its own keep-alive connection. In the same server and run, the same
burst against the bare one-INSERT view of bench/public_bench.py (bench/public_floor_urls.py, same
middleware). Reported: comments/s accepted, p50/p95/max, errors (any answer but 201) and lost (told 201
but not in the database, or told failure but stored), both must be 0; and whether the hall's counters
(comment_count, participant_count, each root's reply_count) equal what the rows say after the burst.

2. Page. The demo world plus one online hall of --comments comments (bulk inserts: a quarter threads,
the rest replies; a few pinned, hidden and pending), measured in-process with the Django test Client
(common.interleaved_runs) as member1: the hall page (first page, a deep page by ?before=), one thread,
the counts fragment, GET /api/v1/consultations/{id}/comments?page=1 and a deep page, GET .../hall, the
public page. The word cloud is cached a minute: its cold computation is timed on its own. Query counts at
--small comments and at --comments. Target: p95 <= 150 ms, equal counts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import writers_bench as wb  # noqa: E402  (the server, the cached demo world)

HEADING = "## 网络议政 (online hall)"
TARGET = 150.0
MIN_REQUESTS = 5
CONTENT = "建议利用边角地、闲置地建设立体停车库，推行机关单位停车场错时共享，缓解城区停车难。"
FLOOR_CONTENT = "我们小区有两千多户居民，最近的公交站点在一公里以外，建议在小区门口增设站点。"


# =====================================================================================================
# Children (Django on the prepared database)
# =====================================================================================================


DATA_VERSION = 2  # 2: the whole demo, no part skipped
DEMO_MEMBERS = wb.DEMO_MEMBERS


def generate() -> dict:
    """The demo world as writers_bench.py makes it (every app's demo: a failing part stops the bench)."""
    common.setup_django()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddemo", members=DEMO_MEMBERS, verbosity=0)
    return {"generate_s": time.perf_counter() - t0, "demo_members": DEMO_MEMBERS}


def _new_hall(title: str):
    from django.utils import timezone

    from zhengxie.consultation.models import Consultation
    from zhengxie.core.models import Organisation, User

    county = Organisation.objects.get(code="demo-county")
    now = timezone.now()
    return Consultation.objects.create(
        organisation=county,
        year=now.year,
        title=title,
        form=Consultation.Form.ONLINE,
        status=Consultation.Status.OPEN,
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=5),
        public=True,
        background="城区机动车保有量五年增长一倍，公共停车泊位缺口约3,000个。",
        created_by=User.objects.get(username="office"),
    )


def burst_setup(n_members: int) -> dict:
    """Migrate; n_members generated members of 青川县政协 with API tokens; a new open hall."""
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from zhengxie.core.demo import make_user
    from zhengxie.core.models import ApiToken, Role
    from zhengxie.members.models import Member

    hall = _new_hall(f"网络议政：基准测试 {os.getpid()}")
    template = Member.objects.filter(organisation=hall.organisation, status=Member.Status.ACTIVE).first()
    tag = f"hb{os.getpid()}"
    clients = []
    for i in range(n_members):
        u = make_user(f"{tag}_{i:04d}", f"基准委员{i:04d}", hall.organisation, [Role.MEMBER])
        u.password_changed_at = timezone.now()
        u.save(update_fields=["password_changed_at"])
        Member.objects.create(
            user=u,
            organisation=hall.organisation,
            term_id=template.term_id,
            name=f"基准委员{i:04d}",
            gender="M",
            sector_id=template.sector_id,
        )
        clients.append({"user_id": u.pk, "token": ApiToken.issue(u)})
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    out = {"consultation_id": hall.pk, "organisation_id": hall.organisation_id, "clients": clients}
    connection.close()
    return out


def burst_verify(tag: str, consultation_id: int) -> dict:
    """The rows of this run, and whether the hall's counters equal what its rows say."""
    common.setup_django()
    from django.db import connection
    from django.db.models import Count

    from zhengxie.consultation.models import Comment, Consultation
    from zhengxie.suggestions.models import Suggestion

    rows = list(Comment.objects.filter(content__startswith=tag).values_list("content", flat=True))
    rows += list(Suggestion.objects.filter(title__startswith=tag).values_list("title", flat=True))
    c = Consultation.objects.get(pk=consultation_id)
    visible = Comment.objects.filter(consultation_id=c.pk, status="visible")
    authors = (
        visible.exclude(author=None).values("author_id").distinct().count()
        + visible.filter(author=None).count()
    )
    replies = dict(
        visible.exclude(parent=None).values("root_id").annotate(n=Count("id")).values_list("root_id", "n")
    )
    roots = dict(visible.filter(parent=None).values_list("id", "reply_count"))
    wrong_roots = sum(1 for rid, n in roots.items() if n != replies.get(rid, 0))
    out = {
        "rows": rows,
        "counters": {
            "comment_count": c.comment_count,
            "visible": visible.count(),
            "participant_count": c.participant_count,
            "authors": authors,
            "roots_with_wrong_reply_count": wrong_roots,
        },
    }
    connection.close()
    return out


def _bulk_hall(c, n: int, members: list, seed: int = 11) -> None:
    """n comments in hall c by bulk inserts: a quarter threads, the rest replies; a few pinned, hidden and
    pending; counters set to match."""
    from django.db.models import F
    from django.utils import timezone

    from zhengxie.consultation.models import Comment

    rnd = random.Random(seed)
    start = timezone.now() - datetime.timedelta(days=2)
    n_threads = max(1, n // 4)
    batch = 5000
    roots: list[int] = []
    for lo in range(0, n_threads, batch):
        rows = []
        for i in range(lo, min(n_threads, lo + batch)):
            m = members[i % len(members)]
            rows.append(
                Comment(
                    consultation_id=c.pk,
                    author_id=m.user_id,
                    member_id=m.pk,
                    author_label=m.name,
                    content=f"{CONTENT}（第{i}条）",
                    created_at=start + datetime.timedelta(seconds=i),
                )
            )
        roots += [r.pk for r in Comment.objects.bulk_create(rows, batch_size=1000)]
    Comment.objects.filter(consultation_id=c.pk, parent__isnull=True).update(root_id=F("id"))
    counts = Counter()
    left = n - n_threads
    for lo in range(0, left, batch):
        rows = []
        for i in range(lo, min(left, lo + batch)):
            root = roots[int(rnd.random() ** 2 * len(roots))]
            counts[root] += 1
            m = members[(i * 7) % len(members)]
            rows.append(
                Comment(
                    consultation_id=c.pk,
                    parent_id=root,
                    root_id=root,
                    author_id=m.user_id,
                    member_id=m.pk,
                    author_label=m.name,
                    content=f"赞同，补充一点：推行错时共享（第{i}条回复）",
                    created_at=start + datetime.timedelta(seconds=n_threads + i),
                )
            )
        Comment.objects.bulk_create(rows, batch_size=1000)
    by_n: dict[int, list[int]] = {}
    for rid, k in counts.items():
        by_n.setdefault(k, []).append(rid)
    for k, ids in by_n.items():
        for lo in range(0, len(ids), 900):
            Comment.objects.filter(pk__in=ids[lo : lo + 900]).update(reply_count=k)
    Comment.objects.filter(pk__in=roots[-3:]).update(pinned=True)
    Comment.objects.filter(pk__in=[r for r in roots[:50] if r not in counts][:5]).update(
        status="hidden", hidden_reason="与议题无关"
    )
    Comment.objects.bulk_create(
        [
            Comment(
                consultation_id=c.pk,
                author_label="网友",
                is_public=True,
                content="希望多建停车场",
                status="pending",
            )
            for _ in range(5)
        ]
    )
    from zhengxie.consultation.services.hall import number_comments

    number_comments([c.pk])  # 第N条 as the services give it
    c.refresh_from_db(fields=["comment_seq"])
    visible = Comment.objects.filter(consultation_id=c.pk, status="visible")
    c.comment_count = visible.count()
    c.participant_count = visible.values("author_id").distinct().count()
    c.save(update_fields=["comment_count", "participant_count"])


def measure(n_comments: int, small: int, n_requests: int, n_runs: int, budget: float, seed: int = 7) -> dict:
    common.setup_django()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    load_start = os.getloadavg()
    call_command("migrate", verbosity=0)
    from zhengxie.consultation import wordcloud
    from zhengxie.consultation.models import Comment
    from zhengxie.core.models import User
    from zhengxie.members.models import Member

    page, api = common.page_and_api_clients(User.objects.get(username="member1"))
    hall = _new_hall("网络议政：十万条留言")
    members = list(Member.objects.filter(organisation=hall.organisation, user__isnull=False).order_by("pk"))

    def cases():
        before = (
            Comment.objects.filter(consultation_id=hall.pk, status="visible", parent=None)
            .order_by("-id")
            .values_list("id", flat=True)[min(2000, max(0, hall.comment_count // 8)) :][:1]
        )
        before = before[0] if before else 1
        busiest = (
            Comment.objects.filter(consultation_id=hall.pk, status="visible", parent=None)
            .order_by("-reply_count")
            .values_list("id", flat=True)
            .first()
        )
        deep = max(1, min(100, hall.comment_count // 80))
        base = f"/consultation/{hall.pk}/hall/"
        rows = [
            ("hall page (first page, pinned on top)", "page", base, TARGET),
            ("hall page, deep keyset page ?before=", "page", f"{base}?before={before}", TARGET),
            ("one thread, all replies (htmx)", "htmx", f"{base}threads/{busiest}/", TARGET),
            ("counts fragment (polled every 15 s)", "page", f"{base}counts/", TARGET),
            ("API comments?page=1", "api", f"/api/v1/consultations/{hall.pk}/comments?page=1", TARGET),
            (
                "API comments?page=N (deep)",
                "api",
                f"/api/v1/consultations/{hall.pk}/comments?page={deep}",
                TARGET,
            ),
            ("API hall (counts, word cloud)", "api", f"/api/v1/consultations/{hall.pk}/hall", TARGET),
            ("public page /p/<code>/consult/<id>/", "anon", f"/p/demo-county/consult/{hall.pk}/", TARGET),
        ]
        return [(label, "member1", kind, url, t) for label, kind, url, t in rows]

    anon = Client()

    def get(_who, kind, url):
        if kind == "api":
            r = api.get(url)
        elif kind == "htmx":
            r = page.get(url, headers={"HX-Request": "true"})
        elif kind == "anon":
            r = anon.get(url)
        else:
            r = page.get(url)
        if r.status_code != 200:
            raise SystemExit(f"GET {url} -> {r.status_code}: {r.content[:300]!r}")
        return r

    def count_queries(case_list):
        out = []
        for label, who, kind, url, _t in case_list:
            get(who, kind, url)
            with CaptureQueriesContext(connection) as ctx:
                get(who, kind, url)
            out.append(
                {
                    "label": label,
                    "queries": len(ctx.captured_queries),
                    "sql_full": [q["sql"] for q in ctx.captured_queries],
                }
            )
        return out

    t0 = time.perf_counter()
    _bulk_hall(hall, small, members)
    hall.refresh_from_db()
    small_queries = count_queries(cases())
    Comment.objects.filter(consultation_id=hall.pk).update(pinned=False)
    _bulk_hall(hall, n_comments - small, members, seed=12)
    hall.refresh_from_db()
    generation_s = time.perf_counter() - t0
    common.analyze(connection)
    cloud = []
    for _ in range(3):
        wordcloud.forget(hall)
        t = time.perf_counter()
        wordcloud.terms(hall)
        cloud.append(time.perf_counter() - t)
    case_list = cases()
    queries = count_queries(case_list)
    import gc

    gc.collect()
    gc.freeze()
    results = common.time_requests(
        case_list, get, queries, connection, n_requests, n_runs, budget, seed, MIN_REQUESTS
    )
    for q in small_queries:
        q["sql_full_text"] = q.pop("sql_full", [])
    out = {
        "info": {
            "vendor": connection.vendor,
            "comments": Comment.objects.filter(consultation_id=hall.pk).count(),
            "visible": hall.comment_count,
            "generation_s": generation_s,
            "wordcloud_cold_ms": statistics.median(cloud) * 1000,
            "load_start": load_start,
            "load_end": os.getloadavg(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "queries": queries,
        "small_queries": small_queries,
    }
    cache.clear()
    connection.close()
    return out


# =====================================================================================================
# The burst (clients in this process)
# =====================================================================================================


def member(port, path, kind, client, org_id, tag, rounds, n, barrier, out):
    """One member's comments (every second one a reply to the previous), or the floor's rows."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {client['token']}"}
    conn = common.KeepAlive(port)
    barrier.wait()
    previous = None
    for i in range(rounds):
        text = f"{tag}-{n:04d}-{i} {CONTENT if kind == 'endpoint' else FLOOR_CONTENT}"
        if kind == "endpoint":
            body = {"content": text}
            if previous and i % 2:
                body["parent_id"] = previous
        else:
            body = {"organisation_id": org_id, "title": text, "content": FLOOR_CONTENT}
        answer = conn.post(path, body, headers)
        if answer["status"] == 201 and kind == "endpoint":
            previous = answer["data"].get("id")
        out.append({"text": text, **answer})
    conn.close()


@contextlib.contextmanager
def _demo_db(engine: str, args, tmp: Path, pg_name: str):
    """The URL of a database of writers_bench.py's demo world (generated by generate() above, cached),
    for the `with` block."""

    def gen(url, out):
        return _child("generate", url, [], out)

    cache = f"hall-demo-v{DATA_VERSION}"
    with common.cached_db(engine, args, tmp, cache, gen, "the demo world", pg_name) as (url, _found):
        yield url


def run_burst(engine: str, args, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="zx-hall-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        with _demo_db(engine, args, tmp, f"zx_hall_{os.getpid()}") as url:
            prepared = _child("burst-setup", url, ["--clients", str(args.clients)], tmp / "setup.json")
            cid, org_id, clients = (
                prepared["consultation_id"],
                prepared["organisation_id"],
                prepared["clients"],
            )
            log(
                f"[{engine}] gunicorn {args.workers} workers × {args.threads} threads, {len(clients)} members ..."
            )
            server = wb.Server(url, tmp, args.workers, args.threads, True)
            server.env.update(DJANGO_SETTINGS_MODULE="bench.public_floor_settings")
            paths = {"endpoint": f"/api/v1/consultations/{cid}/comments", "floor": "/bench-floor/insert/"}

            def fire(kind, path, _slot, tag, n_clients, rounds):
                def one(n, barrier, out):
                    member(server.port, path, kind, clients[n], org_id, tag, rounds, n, barrier, out)

                return common.burst(min(n_clients, len(clients)), one, accepted_only=True)

            def verify(tag):
                found = _child(
                    "burst-verify", url, ["--tag", tag, "--consultation", str(cid)], tmp / "v.json"
                )
                return dict.fromkeys(found["rows"]), {"counters": found["counters"]}

            with server:
                runs = common.alternating_bursts(
                    engine, args, paths, fire, verify, tag="HB", crowd="members", per_s="/s"
                )
                logs = server.log_facts()
    out = common.burst_report(engine, args, runs, logs)
    out["counters"] = [x for x in runs if x["kind"] == "endpoint"][-1]["counters"]
    return out


def run_page(engine: str, args, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="zx-hall-page-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        with _demo_db(engine, args, tmp, f"zx_hallp_{os.getpid()}") as url:
            log(f"[{engine}] hall of {args.comments:,} comments ...")
            extra = ["--comments", str(args.comments), "--small", str(args.small)]
            extra += [
                "--requests",
                str(args.requests),
                "--runs",
                str(args.page_runs),
                "--budget",
                str(args.budget),
            ]
            out = _child("measure", url, extra, tmp / "m.json")
    out["engine"] = engine
    out["small"], out["n"] = args.small, args.comments
    out["runs"], out["per_run"] = args.page_runs, args.requests
    return out


# =====================================================================================================
# Driver
# =====================================================================================================


def _child(mode: str, url: str, extra: list[str], out: Path) -> dict:
    return common.child_json(__file__, mode, url, extra, out)


def markdown(bursts: list[dict], pages: list[dict]) -> str:
    lines = []
    if bursts:
        b0 = bursts[0]
        lines += [
            "### A burst of members commenting",
            "",
            f"`bench/hall_bench.py`: {b0['clients']} generated members of 青川县政协 (client threads, each with its "
            f"own API token and keep-alive connection) released at once by a barrier, each doing {b0['rounds']} × "
            "POST /api/v1/consultations/{id}/comments into one open hall (every second one a reply to the "
            "member's previous comment). Server: `make run`'s gunicorn (deploy/gunicorn.conf.py) with "
            f"{b0['workers']} worker processes × {b0['threads']} threads, DEBUG off, the database task queue and "
            "its worker. In the same server and run: the same burst against the bare view of "
            "bench/public_floor_urls.py that writes one row with a single INSERT (floor). "
            f"{len([r for r in b0['runs'] if r['kind'] == 'floor'])} runs of each, alternating; figures are "
            "medians over the runs. Targets: 0 errors, 0 lost, counters equal to the rows.",
        ]
        for b in bursts:
            e, f = b["summary"]["endpoint"], b["summary"]["floor"]
            rows = [
                [
                    "POST …/comments",
                    e["requests"],
                    e["errors"],
                    e["lost"],
                    e["throughput"],
                    e["p50"],
                    e["p95"],
                    e["max"],
                ],
                [
                    "floor: one INSERT",
                    f["requests"],
                    f["errors"],
                    f["lost"],
                    f["throughput"],
                    f["p50"],
                    f["p95"],
                    f["max"],
                ],
                [
                    "endpoint ÷ floor",
                    "",
                    "",
                    "",
                    f"{e['throughput'] / f['throughput']:.2f}×" if f["throughput"] else "—",
                    f"{e['p50'] / f['p50']:.1f}×" if f["p50"] else "—",
                    f"{e['p95'] / f['p95']:.1f}×" if f["p95"] else "—",
                    "",
                ],
            ]
            c = b["counters"]
            ok = (
                c["comment_count"] == c["visible"]
                and c["participant_count"] == c["authors"]
                and not c["roots_with_wrong_reply_count"]
            )
            lines += [
                f"\n#### {b['engine']}\n",
                common.md_table(
                    ["", "requests", "errors", "lost", "accepted/s", "p50 ms", "p95 ms", "max ms"], rows
                ),
                "",
                f"Counters after the runs: comment_count {c['comment_count']} for {c['visible']} visible rows, "
                f"participant_count {c['participant_count']} for {c['authors']} authors, roots with a wrong "
                f"reply_count {c['roots_with_wrong_reply_count']}: {'**consistent**' if ok else '**INCONSISTENT**'}. "
                f"Server log: {b['logs'].get('tracebacks', 0)} tracebacks, {b['logs'].get('locked', 0)} 'database is "
                f"locked', {b['logs'].get('deadlock', 0)} deadlocks.",
            ]
    if pages:
        p0 = pages[0]
        lines += [
            "",
            f"### The hall at {p0['n']:,} comments",
            "",
            "The Django test Client in the benchmark process (1 process, 1 thread), logged in as member1; the "
            f"API with a Bearer token; the public page without login. Each request {p0['per_run']} times per run, "
            f"{p0['runs']} runs interleaved (fewer, at least {MIN_REQUESTS}, past the run's time budget); p50 and "
            f"p95 are medians over the runs. Query counts at {p0['small']:,} and {p0['n']:,} comments. "
            "Target: p95 <= 150 ms, equal counts.",
        ]
        for run in pages:
            info = run["info"]
            queries = run.get("small_queries", []), run.get("queries", [])
            rows = common.compared_rows(run.get("results", []), *queries, cpu=False, target=False)
            lines += [
                f"\n#### {run['engine']}\n",
                f"{info['comments']:,} comments in the hall ({info['visible']:,} visible), generated in "
                f"{info['generation_s']:.0f} s. Word cloud, cold (segmenting the latest 3,000 comments; then cached "
                f"a minute): {info['wordcloud_cold_ms']:.0f} ms. Load average {info['load_start'][0]:.1f} at the "
                f"start, {info['load_end'][0]:.1f} at the end ({info['cpus']} CPUs, shared).",
                "",
                common.requests_table(rows, run["small"], run["n"], cpu=False, tail=[f"<= {TARGET:.0f}"]),
            ]
            lines += common.where_the_time_goes(run.get("queries", []))
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--only", choices=["burst", "page", "both"], default="both")
    p.add_argument("--quick", action="store_true", help="small sizes (prints only)")
    common.add_burst_args(p)
    p.add_argument("--comments", type=int, default=100_000)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--page-runs", type=int, default=5)
    p.add_argument("--budget", type=float, default=15.0)
    p.add_argument("--consultation", type=int)
    args = p.parse_args()

    modes = {
        "generate": generate,
        "measure": lambda: measure(args.comments, args.small, args.requests, args.runs, args.budget),
        "burst-setup": lambda: burst_setup(args.clients),
        "burst-verify": lambda: burst_verify(args.tag, args.consultation),
    }
    if common.child_mode(args, modes):
        return

    if args.quick:
        args.clients, args.rounds, args.runs = min(args.clients, 40), min(args.rounds, 2), 1
        args.comments, args.small, args.requests, args.page_runs = min(args.comments, 10_000), 500, 10, 2
    found = common.each_engine(args, {"burst": run_burst, "page": run_page})
    bursts, pages = found["burst"], found["page"]
    common.write_outputs(args, {"bursts": bursts, "pages": pages}, markdown(bursts, pages))


if __name__ == "__main__":
    main()
