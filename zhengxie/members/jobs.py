"""Periodic clean-up of roster files: they hold personal data (full phone and ID numbers). A big roster's
export is deleted after core.exports.KEEP_DAYS by the core's job (core.jobs.purge_exports)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core.scheduler import register

from .models import RosterImport
from .roster import fail_stale_imports, wipe_expired_passwords

KEEP_DAYS = 7


@register(
    "members.purge_roster_files",
    every="daily",
    label="清理未处理的委员名册导入文件和未下载的初始密码",
)
def purge_roster_files(now=None) -> dict:
    """An import still waiting after KEEP_DAYS (no worker ran it) is marked failed and its stored upload
    erased; initial passwords of an import not downloaded within roster.PASSWORDS_KEEP_DAYS are erased."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    stale = RosterImport.objects.filter(
        created_at__lt=cutoff, status__in=[RosterImport.Status.PENDING, RosterImport.Status.RUNNING]
    )
    abandoned = stale.update(
        status=RosterImport.Status.FAILED,
        content=b"",
        finished_at=timezone.now(),
        error=f"超过 {KEEP_DAYS} 天未完成，已取消。请在名册中核对后重新上传。",
    )
    # A failed import keeps its file for a retry (fail_stale_imports): erased after the same days.
    RosterImport.objects.filter(
        created_at__lt=cutoff, status=RosterImport.Status.FAILED, content__isnull=False
    ).exclude(content=b"").update(content=b"")
    return {"imports": abandoned, "passwords": wipe_expired_passwords(now)}


@register("members.fail_stale_imports", every="hourly", label="将中断的委员名册导入标为失败（可重新导入）")
def fail_stale_roster_imports(now=None) -> dict:
    """An import left running by a killed worker: failed with a Chinese message, retryable from its page."""
    return {"imports": fail_stale_imports(now)}
