"""manage.py loadscale: a province at the 政协云's size for measuring (zhengxie/yearbook/scale.py)."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from zhengxie.core.notifications import external_delivery_muted


class Command(BaseCommand):
    help = (
        "生成省级规模的测试数据（1个省、14个市、120个县，5万用户，5年，约100万件提案、50万条社情民意、"
        "200万条履职记录），并计算各级政协各年度的年度工作数据。--scale 0.01 为快速的小规模。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="行数的比例（1.0 = 全量）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--cities", type=int, default=14)
        parser.add_argument("--counties", type=int, default=120)
        parser.add_argument(
            "--snapshot-years",
            type=int,
            default=2,
            help="计算最近几年的年度工作数据（默认 2：本年和上年；0 不计算）",
        )
        parser.add_argument("--json", dest="json_out", help="把用时和行数写入该文件")

    def handle(self, *args, scale, seed, database, cities, counties, snapshot_years, json_out=None, **opts):
        from zhengxie.yearbook import scale as gen

        if not 0 < scale <= 2:
            raise CommandError("--scale 须在 0 与 2 之间。")
        if database != DEFAULT_DB_ALIAS:
            # The generator writes through the default connection: point it at the chosen database.
            connections.databases[DEFAULT_DB_ALIAS] = connections.databases[database]
            connections[DEFAULT_DB_ALIAS].close()
            del connections[DEFAULT_DB_ALIAS]

        def say(msg):
            self.stdout.write(msg)
            self.stdout.flush()

        t0 = time.perf_counter()
        with external_delivery_muted():
            g = gen.Generator(scale, seed, say, cities=cities, counties=counties)
            result = g.run()
            t1 = time.perf_counter()
            gen.analyze()
            result["timings"]["analyze"] = round(time.perf_counter() - t1, 1)
            if snapshot_years > 0:
                say("[loadscale] snapshots ...")
                t1 = time.perf_counter()
                result["snapshots"] = gen.snapshots(say, min(snapshot_years, 5))
                result["timings"]["snapshots"] = round(time.perf_counter() - t1, 1)
        result["timings"]["total"] = round(time.perf_counter() - t0, 1)
        result["scale"], result["seed"] = scale, seed
        say(
            f"[loadscale] done in {result['timings']['total']:.0f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in result["counts"].items())
        )
        if json_out:
            with open(json_out, "w") as f:
                json.dump(result, f, ensure_ascii=False, indent=1)
