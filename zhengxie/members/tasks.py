"""Background work of the members app: the roster import and the export of a big roster."""

from __future__ import annotations

from django_tasks import task


@task()
def roster_import_task(import_id: str) -> str:
    """Check and import one uploaded roster (see roster.run_roster_import)."""
    from .roster import run_roster_import

    return run_roster_import(import_id)


@task()
def roster_export_task(export_id: str) -> str:
    """Build the .xlsx of a queued roster export (see roster.run_roster_export)."""
    from .roster import run_roster_export

    return run_roster_export(export_id)
