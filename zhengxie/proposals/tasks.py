"""Background work of the proposals app. Its files (list, 提案汇编, 落实台账) are built by the core's one
export task; importing their modules here registers their builders (core.exports)."""

from __future__ import annotations

from django_tasks import task

from . import exports  # noqa: F401
from .exports import followup  # noqa: F401  (registers the ledger export)


@task()
def refresh_lights_task() -> dict:
    """Recompute lights and send the yellow/red notices now (the scheduler runs the same daily)."""
    from zhengxie.handling.jobs import check_lights

    return check_lights()


@task()
def reindex_proposals_task() -> int:
    """Rebuild the proposals' search index (after an import or a change of the segmentation lexicon)."""
    from zhengxie.search.services import rebuild

    from .models import _search_documents

    return rebuild("proposal", _search_documents())
