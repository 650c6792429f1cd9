"""Rebuild the search index from the registered sources (zhengxie.search.registry)."""

import time

from django.core.management.base import BaseCommand, CommandError

from zhengxie.search import registry
from zhengxie.search.services import rebuild


class Command(BaseCommand):
    help = "重建全文检索索引（提案等已登记的数据源）；修改分词词典后也需运行"

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", dest="kinds", help="只重建这一类（可重复）")

    def handle(self, *args, kinds=None, **opts):
        sources = registry.sources()
        kinds = kinds or sorted(sources)
        unknown = [k for k in kinds if k not in sources]
        if unknown:
            raise CommandError(
                f"未登记的检索类型：{', '.join(unknown)}（已登记：{', '.join(sorted(sources)) or '无'}）"
            )
        if not kinds:
            self.stdout.write("没有登记任何检索数据源。")
            return
        for kind in kinds:
            started = time.monotonic()
            count = rebuild(kind, sources[kind]())
            self.stdout.write(f"  · {kind}: 已索引 {count} 条，用时 {time.monotonic() - started:.1f} 秒")
        self.stdout.write(self.style.SUCCESS("检索索引重建完成。"))
