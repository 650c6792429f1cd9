"""The daily check of 民主评议: open rounds past their closing time are closed and ranked, and their
organiser is told to publish the results."""

from __future__ import annotations

from zhengxie.core.scheduler import register

from . import services


@register("appraisal.close_due", every="daily", label="民主评议：到截止时间自动结束评议并提醒组织者公布结果")
def close_due(now=None) -> dict:
    return {"closed": services.close_due(now)}
