"""Periodic clean-up of the core: files built in the background (exports of every module)."""

from __future__ import annotations

from .scheduler import register


@register("core.purge_exports", every="daily", label="清理过期的导出文件（各模块的后台导出）")
def purge_exports(now=None) -> dict:
    """Exports older than their kind's keep_days (core.exports.KEEP_DAYS unless registered otherwise)
    lose their file and row: they hold personal data."""
    from .exports import purge

    return {"exports": purge(now)}


@register("core.fail_stale_exports", every="hourly", label="将中断的后台导出标为失败（可重新生成）")
def fail_stale_exports(now=None) -> dict:
    """Exports left running by a killed worker (no progress for EXPORT_STALE_MINUTES) become failed."""
    from .exports import fail_stale

    return {"exports": fail_stale(now)}
