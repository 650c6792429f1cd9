"""Background tasks of duty performance."""

from django_tasks import task


@task()
def recompute_scores(recomputation_id: int) -> None:
    """Recompute a year's scores for everyone of an organisation (after a scheme change)."""
    from .models import Recomputation
    from .services import run_recomputation

    run = Recomputation.objects.filter(pk=recomputation_id).first()
    if run is not None and run.status in (Recomputation.Status.PENDING, Recomputation.Status.RUNNING):
        run_recomputation(run)
