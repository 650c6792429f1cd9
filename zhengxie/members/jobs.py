"""Periodic clean-up of roster files: they hold personal data (full phone and ID numbers)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core.models import Export
from zhengxie.core.scheduler import register

from .models import RosterImport
from .roster import EXPORT_KIND, wipe_expired_passwords

KEEP_DAYS = 7


@register(
    "members.purge_roster_files",
    every="daily",
    label="清理过期的委员名册导出文件、未处理的导入文件和未下载的初始密码",
)
def purge_roster_files(now=None) -> dict:
    """Roster exports older than KEEP_DAYS lose their file (and row); an import still waiting after
    that long (no worker ran it) is marked failed and its stored upload erased; initial passwords of an
    import not downloaded within roster.PASSWORDS_KEEP_DAYS are erased."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    exports = list(Export.objects.filter(kind=EXPORT_KIND, created_at__lt=cutoff))
    for export in exports:
        if export.file:
            export.file.delete(save=False)
    Export.objects.filter(pk__in=[e.pk for e in exports]).delete()
    stale = RosterImport.objects.filter(
        created_at__lt=cutoff, status__in=[RosterImport.Status.PENDING, RosterImport.Status.RUNNING]
    )
    abandoned = stale.update(
        status=RosterImport.Status.FAILED,
        content=b"",
        finished_at=timezone.now(),
        error=f"超过 {KEEP_DAYS} 天未完成，已取消。请在名册中核对后重新上传。",
    )
    return {"exports": len(exports), "imports": abandoned, "passwords": wipe_expired_passwords(now)}
