"""Speed of the 民主评议 rounds list and results page at demo size x100.

    .venv/bin/python bench/appraisal_bench.py                        # SQLite
    .venv/bin/python bench/appraisal_bench.py --engine postgresql    # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/appraisal_bench.py --json out.json --markdown out.md

The data: the demo world (`loaddemo --members 30`: 青川县 has a published round of 30 parks and an open
round of its units), then --factor (100) times as many rounds, each a copy of the demo's published park
round (30 targets with their figures and ranking, every rating with its three scores): 60 % 青川县 this
year, 20 % 青川县 the years before, 10 % 石门区, 10 % 江州市. One of 青川县's copies is the big round: its
targets are --factor / 10 times the demo's (300 parks at x100, the size of a real park appraisal).

Measured in-process with the Django test Client (common.interleaved_runs): the leader and the office on the
rounds list (/appraisal/, this year, the last page), GET /api/v1/appraisals, the big round's page, its
results page and GET /api/v1/appraisals/{id}/results. The SQL queries of each request are counted on the
demo alone and at scale. Target: p95 <= 150 ms (lists), 300 ms (the big results page); the lists' query
counts equal.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DATA_VERSION = 1
TARGET = 150.0
BIG_TARGET = 300.0
BIG_TITLE = "大规模公园民主评议"


def _copy_round(src, org, year, title, n_targets, rnd, Round, Target, Rating, Score, Rater):
    items = list(src.items.all())
    r = Round.objects.create(
        organisation=org,
        year=year,
        title=title,
        kind=src.kind,
        status=src.status,
        photo_required=src.photo_required,
        opens_at=src.opens_at,
        closes_at=src.closes_at,
        created_by=src.created_by,
        published_at=src.published_at,
        closed_at=src.closed_at,
        opened_at=src.opened_at,
        target_count=n_targets,
        rater_count=src.rater_count,
    )
    for i in items:
        i.pk, i.round = None, r
    type(items[0]).objects.bulk_create(items)
    base = list(src.targets.order_by("order", "id"))
    targets = []
    for k in range(n_targets):
        t = base[k % len(base)]
        targets.append(
            Target(
                round=r,
                organisation=org,
                order=k + 1,
                name=f"{t.name}{k // len(base) or ''}",
                address=t.address,
                ratings=t.ratings,
                score=t.score,
                photos=0,
                rank=None,
                mark="",
            )
        )
    Target.objects.bulk_create(targets, batch_size=1000)
    raters = [Rater(round=r, member=x.member, user_id=x.user_id, rated=x.rated) for x in src.raters.all()]
    Rater.objects.bulk_create(raters)
    by_member = {x.member_id: x for x in raters}
    ratings, scores = [], []
    for t in targets:
        for m in rnd.sample(list(by_member), min(len(by_member), max(1, t.ratings))):
            ratings.append(
                Rating(round=r, target=t, rater=by_member[m], member_id=m, score=t.score, note="按计划察看。")
            )
    Rating.objects.bulk_create(ratings, batch_size=1000)
    for x in ratings:
        for i in items:
            scores.append(Score(rating=x, item=i, value=int(x.score or 70)))
    Score.objects.bulk_create(scores, batch_size=2000)
    Round.objects.filter(pk=r.pk).update(rating_count=len(ratings))
    return r, len(ratings)


def generate(factor: int, seed: int = 2026) -> dict:
    common.setup_django()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loaddemo", members=30, stdout=devnull)
    from zhengxie.appraisal import services
    from zhengxie.appraisal.models import Rater, Rating, Round, Score, Target
    from zhengxie.core.models import Organisation

    rnd = random.Random(seed)
    county = Organisation.objects.get(code="demo-county")
    county2 = Organisation.objects.get(code="demo-county-2")
    city = Organisation.objects.get(code="demo-city")
    src = Round.objects.get(organisation=county, kind="places", status="published")
    demo = Round.objects.filter(organisation=county).count()
    plan = (
        [(county, src.year)] * 60
        + [(county, src.year - 1 - i % 3) for i in range(20)]
        + [(county2, src.year)] * 10
        + [(city, src.year)] * 10
    )
    n, ratings = demo * factor, 0
    for k in range(n):
        org, year = plan[k % len(plan)]
        big = k == 0
        title = BIG_TITLE if big else f"{year}年第{k}批公共场所民主评议"
        size = src.target_count * max(1, factor // 10) if big else src.target_count
        r, made = _copy_round(src, org, year, title, size, rnd, Round, Target, Rating, Score, Rater)
        services.apply_ranking(r)
        ratings += made
    return {
        "demo_rounds": demo,
        "rounds": Round.objects.count(),
        "ratings": Rating.objects.count(),
        "big_targets": Target.objects.filter(round__title=BIG_TITLE).count(),
        "seconds": time.perf_counter() - t0,
    }


def measure(n_requests: int, n_runs: int, budget: float, counts_only: bool) -> dict:
    users, pages, apis = common.measure_setup(["leader", "office"])
    from django.db import connection

    from zhengxie.appraisal.models import Round
    from zhengxie.appraisal.views import PER_PAGE

    county = users["office"].organisation
    year = Round.objects.filter(organisation=county).order_by("-year").values_list("year", flat=True).first()
    visible = Round.objects.filter(organisation__path__startswith=county.path).count()
    last = max(1, -(-visible // PER_PAGE))
    big = (
        Round.objects.filter(organisation=county, title=BIG_TITLE).first()
        or Round.objects.filter(organisation=county, kind="places").order_by("pk").first()
    )
    cases = [
        ("rounds list (leader)", "leader", "page", "/appraisal/", TARGET),
        ("rounds list, this year (office)", "office", "page", f"/appraisal/?year={year}", TARGET),
        ("rounds list, last page (office)", "office", "page", f"/appraisal/?page={last}", TARGET),
        ("GET /api/v1/appraisals (leader)", "leader", "api", "/api/v1/appraisals", TARGET),
        ("big round's page (office)", "office", "page", f"/appraisal/{big.pk}/", TARGET),
        ("big round's results (leader)", "leader", "page", f"/appraisal/{big.pk}/results/", BIG_TARGET),
        ("GET results of the big round", "leader", "api", f"/api/v1/appraisals/{big.pk}/results", BIG_TARGET),
    ]

    from zhengxie.appraisal.models import Target

    def list_floor(request):
        qs = Round.objects.filter(**common.subtree_filter(request.user))
        return common.first_page_floor(qs.order_by("-year", "-id"), PER_PAGE)

    def results_floor(request):
        # The ranking as stored on the targets (each rating updates its target's weighted mean).
        qs = Target.objects.filter(round_id=big.pk).order_by("-score", "id")
        return list(qs.values("id", "name", "score"))

    floors = [
        ("floor: first page + count of the rounds", "leader", list_floor),
        ("floor: the big round's targets by score", "leader", results_floor),
    ]
    floor_of = {c[0]: floors[0][0] for c in cases if "rounds list" in c[0] or "appraisals (" in c[0]}
    floor_of.update({c[0]: floors[1][0] for c in cases if "results" in c[0]})
    out = common.count_and_time(
        cases,
        pages,
        apis,
        n_requests=n_requests,
        n_runs=n_runs,
        budget=budget,
        counts_only=counts_only,
        floors=floors,
        floor_of=floor_of,
    )
    out.update({"rounds_visible": visible, "big_targets": big.target_count, "vendor": connection.vendor})
    return out


def markdown(runs: list[dict]) -> str:
    return common.demo_factor_markdown(
        runs,
        lambda run, big, gen: (
            f"demo x{run['factor']} = {gen.get('rounds', '?')} rounds, "
            f"{gen.get('ratings', '?')} ratings ({big['rounds_visible']} rounds visible to 青川县; the big round "
            f"has {big['big_targets']} targets). Targets: p95 <= {TARGET:.0f} ms, results <= {BIG_TARGET:.0f} ms."
        ),
        size_key="rounds",
        # the demo has no 300-place round: its counts are taken on the demo's own round
        may_differ=lambda label: "big round" in label,
    )


def main() -> None:
    common.demo_factor_main(
        __file__,
        __doc__,
        generate=generate,
        measure=measure,
        markdown=markdown,
        cache=f"appraisal-v{DATA_VERSION}",
        pg_prefix="zx_abench",
    )


if __name__ == "__main__":
    main()
