"""Nightly retraining of every organisation's routing model from its history and staff's choices."""

from __future__ import annotations

from zhengxie.core.scheduler import register


@register("routing.retrain", every="daily", label="智能分办：按各政协的历史件与工作人员的选择重新训练")
def retrain(now=None) -> dict:
    """One background task per organisation (training a large county takes seconds, not milliseconds)."""
    from zhengxie.core.models import Organisation

    from .tasks import train_task

    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    for org_id in ids:
        train_task.enqueue(org_id)
    return {"enqueued": len(ids)}
