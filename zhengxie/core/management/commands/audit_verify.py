"""Walks the audit log's hash chain (core.auditchain) and reports the first broken link (exit code 1). The
entries a restore into PostgreSQL named as holding a NUL it wrote as ␀ (core.textclean) hold when that is
all that differs."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhengxie.core import auditchain
from zhengxie.core.models import AuditEntry


class Command(BaseCommand):
    help = "校验审计日志的哈希链：报告第一处断链（被修改、删除或插入的记录），有断链时退出码为 1。"

    def handle(self, *args, **options):
        marked = self._nul_marked()
        entries = AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
        try:
            n, broken = auditchain.verify(entries, marked)
        finally:
            entries.close()  # else the open cursor is closed after the connection at exit (a traceback)
        if broken is None:
            self.stdout.write(f"审计日志完整：已校验 {n} 条记录，哈希链无断点。")
            if marked:
                self.stdout.write(
                    f"其中 {len(marked)} 条记录恢复到 PostgreSQL 时其中的 NUL 字符记为 ␀（见恢复时的审计记录），"
                    "其余内容未变。"
                )
            return
        when = timezone.localtime(broken.created_at).strftime("%Y-%m-%d %H:%M:%S")
        self.stderr.write(
            f"审计日志哈希链在第 {n} 条记录处断开：ID {broken.pk}（{when}，{broken.action}）"
            "与其前一条记录不符，该记录或其之前的记录已被修改、删除或插入。"
        )
        sys.exit(1)

    def _nul_marked(self) -> frozenset[int]:
        """The entries a restore into PostgreSQL named as holding a NUL it wrote as ␀ (core.textclean)."""
        from zhengxie.core.textclean import ACTION, MARKED

        ids = set()
        for after in AuditEntry.objects.filter(action=ACTION).values_list("after", flat=True):
            if isinstance(after, dict):
                ids.update(int(pk) for pk in after.get(MARKED) or () if str(pk).isdigit())
        return frozenset(ids)
