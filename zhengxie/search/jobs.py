"""Hourly upkeep of the search index."""

from zhengxie.core.scheduler import register


@register("search.compact_terms", every="hourly", label="合并检索词频的增量记录")
def compact_terms(now=None) -> dict:
    """Writers add delta rows to the document frequencies; fold them into one row per term."""
    from .services import compact

    return {"rows_removed": compact()}


@register("search.warm_duplicates", every="hourly", label="比对待审查事项的疑似重复（预先计算）")
def warm_duplicates(now=None) -> dict:
    """Near-duplicate groups of the staff queues: compute the neighbour lists the pages have not yet
    (search.duplicates), so that a queue page only reads them from the cache."""
    from .duplicates import warm

    return {"items": warm()}
