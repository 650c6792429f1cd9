"""Background work of 热点: one run's computation (queued by 重新计算 and by the nightly job)."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_task(run_id: int) -> str:
    """Compute one queued run; its status (done / failed; a run already taken is left alone)."""
    from .services import compute

    run = compute(run_id)
    return run.status if run is not None else ""
