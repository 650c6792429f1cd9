"""Background work of 智能分办: one organisation's retraining (the nightly job enqueues one per organisation,
so the scheduler stays quick and the task workers share the work)."""

from __future__ import annotations

from django_tasks import task


@task()
def train_task(organisation_id: int) -> int:
    """Retrain one organisation's model; the number of items it learnt from (0: nothing filed yet)."""
    from .services import train

    row = train(organisation_id)
    return row.samples if row is not None else 0
