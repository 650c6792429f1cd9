"""Nightly refresh of every committee's hot topics (近90天 and 本年度), and runs left by a killed worker."""

from __future__ import annotations

from zhengxie.core.scheduler import register


@register("hottopics.refresh", every="daily", label="热点分析：重新计算各政协近90天和本年度的热点")
def refresh(now=None) -> dict:
    """One background task per committee and period (a large county takes seconds, not milliseconds)."""
    from .services import refresh_defaults

    return {"enqueued": len(refresh_defaults(now))}


@register("hottopics.fail_stale_runs", every="hourly", label="将中断的热点计算标为失败（可重新计算）")
def fail_stale_runs(now=None) -> dict:
    from .services import fail_stale

    return {"runs": fail_stale(now)}
