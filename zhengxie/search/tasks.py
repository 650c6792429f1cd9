"""Background work of the search app: the near-duplicate lists a staff queue page lacks (search.duplicates)."""

from django_tasks import task


@task()
def compare_duplicates(kind: str, organisation_ids: list[int]) -> dict:
    """Compute the neighbour lists still missing in `kind`'s queues of these organisations, which a queue
    page asked for (duplicates.compare_later) instead of computing them during its request."""
    from .duplicates import warm

    return {"items": warm(kind, organisation_ids)}
