"""Nightly retraining of every organisation's routing model from its history and staff's choices."""

from __future__ import annotations

from zhengxie.core.scheduler import register


@register("routing.retrain", every="daily", label="智能分办：按各政协的历史件与工作人员的选择重新训练")
def retrain(now=None) -> dict:
    from .services import train_all

    return {"trained": train_all()}
