"""Where `manage.py reindex_search` finds the documents of each kind.

An app registers its source at import of its models.py (or in AppConfig.ready()):

    from zhengxie.search import registry
    registry.register("proposal", iter_proposal_documents)

where the callable yields dicts of index_document's keyword arguments (object_id,
organisation_id, title, body, year; "kind" may be left out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

SOURCES: dict[str, Callable[[], Iterable[dict]]] = {}


def register(kind: str, iterator_callable: Callable[[], Iterable[dict]]) -> None:
    SOURCES[kind] = iterator_callable


def sources() -> dict[str, Callable[[], Iterable[dict]]]:
    return dict(SOURCES)
