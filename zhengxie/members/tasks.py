"""Background work of the members app: the roster import. A big roster's export is built by the core's
one export task; importing `roster` here registers its builder (core.exports)."""

from __future__ import annotations

from django_tasks import task

from . import roster  # noqa: F401


@task()
def roster_import_task(import_id: str) -> str:
    """Check and import one uploaded roster (see roster.run_roster_import)."""
    from .roster import run_roster_import

    return run_roster_import(import_id)
