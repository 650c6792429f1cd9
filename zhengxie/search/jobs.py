"""Hourly upkeep of the search index."""

from zhengxie.core.scheduler import register


@register("search.compact_terms", every="hourly", label="合并检索词频的增量记录")
def compact_terms(now=None) -> dict:
    """Writers add delta rows to the document frequencies; fold them into one row per term."""
    from .services import compact

    return {"rows_removed": compact()}
