"""Periodic clean-up of the core: files built in the background (exports of every module)."""

from __future__ import annotations

from .scheduler import register


@register("core.purge_exports", every="daily", label="清理过期的导出文件（各模块的后台导出）")
def purge_exports(now=None) -> dict:
    """Exports older than their kind's keep_days (core.exports.KEEP_DAYS unless registered otherwise)
    lose their file and row: they hold personal data."""
    from .exports import purge

    return {"exports": purge(now)}
