"""Benchmark of zhengxie.search: 100,000 synthetic Chinese documents, then timings of search_ids and
similar (median and p95). Not part of the test suite.

    .venv/bin/python bench/search_bench.py                 # SQLite (a throw-away file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/search_bench.py
                                                           # ... and PostgreSQL: a throw-away database
                                                           # zx_search_bench_<pid> on that server
Options: --docs N (default 100000), --queries N (default 200).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLACES = [
    "城关镇",
    "清河镇",
    "白石镇",
    "龙泉镇",
    "桃源乡",
    "青山镇",
    "马鞍镇",
    "新华街道",
    "东城街道",
    "西湖乡",
    "金沙镇",
    "凤凰镇",
    "县城",
    "城区",
    "农村",
    "山区",
    "库区",
    "工业园区",
    "开发区",
    "景区",
]
VERBS = ["加快", "加强", "推进", "完善", "优化", "规范", "提升", "促进", "深化", "支持", "保障", "扶持"]
TOPICS = [
    "养老服务",
    "居家养老",
    "医养结合",
    "托育服务",
    "校园安全",
    "课后服务",
    "学位供给",
    "职业教育",
    "乡村教师",
    "老旧小区改造",
    "停车设施",
    "背街小巷",
    "城中村改造",
    "公共厕所",
    "垃圾分类",
    "污水处理",
    "黑臭水体",
    "河道治理",
    "饮用水安全",
    "高标准农田",
    "农村公路",
    "家庭农场",
    "农村电商",
    "冷链物流",
    "特色农业",
    "茶叶产业",
    "中药材种植",
    "乡村旅游",
    "古村落保护",
    "非遗保护",
    "文物保护",
    "全民健身",
    "公共图书馆",
    "营商环境",
    "中小微企业融资",
    "专精特新",
    "招商引资",
    "稳岗就业",
    "灵活就业",
    "高校毕业生就业",
    "食品安全",
    "药品监管",
    "基层医疗",
    "家庭医生",
    "分级诊疗",
    "医共体建设",
    "心理健康",
    "留守儿童",
    "困难群众救助",
    "残疾人康复",
    "退役军人服务",
    "消防安全",
    "电动自行车充电",
    "森林防火",
    "地质灾害防治",
    "数字政府",
    "一网通办",
    "智慧城市",
    "数据共享",
    "新能源汽车",
    "充电桩建设",
    "光伏发电",
    "节能减排",
    "公交线路",
    "城乡客运",
    "物流园区",
    "夜间经济",
    "文旅融合",
    "体育场馆",
    "社区治理",
    "网格化管理",
]
ASPECTS = [
    "体系建设",
    "设施建设",
    "能力建设",
    "队伍建设",
    "资金保障",
    "监督管理",
    "长效机制",
    "服务水平",
    "工作机制",
    "政策落实",
    "规划布局",
    "人才培养",
    "标准化建设",
    "信息化建设",
    "试点示范",
]
ENDINGS = ["的建议", "的提案", "的意见", "问题的建议", "工作的提案"]
SENTENCES = [
    "目前{place}{topic}存在短板，群众反映强烈。",
    "{topic}投入不足，设施陈旧，管理粗放。",
    "建议{verb}{topic}{aspect}，明确责任部门和完成时限。",
    "据调研，{place}约有{n}户群众受此影响。",
    "部分{topic}项目建成后缺乏运营维护，效益未能充分发挥。",
    "建议财政每年安排{n}万元专项资金用于{topic}。",
    "应当借鉴先进地区经验，探索{topic}的新模式。",
    "建议由牵头部门会同相关单位开展专项督查。",
    "{place}{topic}人才缺乏，待遇偏低，队伍不稳定。",
    "建议将{topic}纳入年度重点工作和绩效考核。",
]


def _long_tail() -> list[str]:
    """Several hundred rarer words (Faker's zh_CN lists), so that not every word is common."""
    from faker.providers.address.zh_CN import Provider as Address
    from faker.providers.company.zh_CN import Provider as Company
    from faker.providers.lorem.zh_CN import Provider as Lorem

    words = (
        set(Lorem.word_list) | set(Address.cities) | set(Address.districts) | set(Company.company_prefixes)
    )
    return sorted(w for w in words if len(w) > 1)


LONG_TAIL = _long_tail()


def make_document(rng: random.Random, object_id: int, org_ids: list[int]) -> dict:
    topic, place, verb = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(VERBS)
    where = rng.choice([place, rng.choice(LONG_TAIL), ""])
    title = f"关于{verb}{where}{topic}{rng.choice(ASPECTS)}{rng.choice(ENDINGS)}"
    body = (
        "、".join(rng.sample(LONG_TAIL, 3))
        + "等方面。"
        + "".join(
            rng.choice(SENTENCES).format(
                place=rng.choice(PLACES),
                topic=rng.choice([topic, topic, rng.choice(TOPICS)]),
                verb=rng.choice(VERBS),
                aspect=rng.choice(ASPECTS),
                n=rng.randint(2, 900),
            )
            for _ in range(rng.randint(6, 16))
        )
    )
    return {
        "object_id": object_id,
        "organisation_id": rng.choice(org_ids),
        "title": title,
        "body": body,
        "year": rng.choice([2024, 2025, 2026]),
    }


def stats(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    return f"{name:<28} median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms"


def run(engine: str, docs: int, queries: int) -> None:
    """Runs in a child process whose DATABASE_URL points at a throw-away database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")
    import django

    warnings.simplefilter("ignore", DeprecationWarning)  # treebeard add_root/add_child
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from zhengxie.core.models import Organisation
    from zhengxie.search.services import index_document, rebuild, search_ids, similar

    city = Organisation.add_root(name="江州市政协", kind="city", code="bench-city")
    orgs = [city.add_child(name=f"县{i}政协", kind="county", code=f"bench-county{i}") for i in range(4)]
    org_ids = [o.id for o in orgs]
    rng = random.Random(2026)

    started = time.perf_counter()
    count = rebuild("proposal", (make_document(rng, i, org_ids) for i in range(1, docs + 1)))
    print(f"[{engine}] indexed {count} documents in {time.perf_counter() - started:.1f} s (bulk rebuild)")

    timings = []
    for i in range(100):
        doc = make_document(rng, docs + 1 + i, org_ids)
        t0 = time.perf_counter()
        index_document(kind="proposal", **doc)
        timings.append(time.perf_counter() - t0)
    print(f"[{engine}] {stats('index_document (one, new)', timings)}")
    print(f"[{engine}] load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    def measure(label, calls):
        # Wall time, and this process's CPU time: on a busy machine the latter (for SQLite, which
        # runs in-process, the whole work) tells what an idle one would do.
        call_timings, cpu_timings, sizes = [], [], []
        for fn in calls:
            t0, c0 = time.perf_counter(), time.process_time()
            result = fn()
            call_timings.append(time.perf_counter() - t0)
            cpu_timings.append(time.process_time() - c0)
            sizes.append(len(result))
        cpu = sorted(cpu_timings)
        print(
            f"[{engine}] {stats(label, call_timings)}   cpu median {statistics.median(cpu) * 1000:6.1f} ms"
            f" p95 {cpu[int(0.95 * len(cpu)) - 1] * 1000:6.1f} ms   results median {statistics.median(sizes):.0f}"
        )

    qrng = random.Random(7)
    one_word = [qrng.choice(TOPICS) for _ in range(queries)]
    two_words = [f"{qrng.choice(TOPICS)} {qrng.choice(PLACES)}" for _ in range(queries)]
    measure(
        "search_ids 1 word (limit 50)",
        [lambda q=q: search_ids(kind="proposal", query=q, limit=50) for q in one_word],
    )
    measure("search_ids 2 words", [lambda q=q: search_ids(kind="proposal", query=q) for q in two_words])
    measure(
        "search_ids 1 word, 1 org",
        [lambda q=q: search_ids(kind="proposal", query=q, organisation_ids=org_ids[:1]) for q in one_word],
    )
    measure("search_ids common word", [lambda: search_ids(kind="proposal", query="建议 资金")] * 20)

    titles = [make_document(qrng, 0, org_ids)["title"] for _ in range(queries)]
    measure("similar (a title)", [lambda t=t: similar(kind="proposal", text=t) for t in titles])
    bodies = [make_document(qrng, 0, org_ids) for _ in range(queries // 4)]
    measure(
        "similar (title + body)",
        [lambda d=d: similar(kind="proposal", text=d["title"] + "\n" + d["body"]) for d in bodies],
    )
    measure(
        "similar (a title, 1 org)",
        [lambda t=t: similar(kind="proposal", text=t, organisation_ids=org_ids[:1]) for t in titles],
    )
    connection.close()


def child(engine: str, url: str, args) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    cmd = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--docs",
        str(args.docs),
        "--queries",
        str(args.queries),
    ]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        run(args.child, args.docs, args.queries)
        return

    with tempfile.TemporaryDirectory(prefix="zx-search-bench-") as tmp:
        child("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args)

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _ = url.rpartition("/")
        name = f"zx_search_bench_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        try:
            child("postgresql", f"{base}/{name}", args)
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
