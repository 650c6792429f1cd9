"""Pages of long lists that cost the same at the end as at the start.

`OFFSET n` reads and drops n rows: the last page of 100,000 suggestions cost ~100 ms on PostgreSQL
(bench/RESULTS.md, 微建议 queue). A page past the middle is read from the other end instead — the same
ordering reversed, a small offset, the rows turned back — when the ordering ends with the primary key
(a total order: the reversed read gives exactly the same rows). `Paginator` does it for the pages,
`Rows` for the API lists (ninja's PageNumberPagination)."""

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

UNIQUE_LAST = {"id", "-id", "pk", "-pk"}


def _total_order(qs) -> bool:
    if not isinstance(qs, QuerySet) or not qs.ordered or qs.query.is_sliced:
        return False
    order = list(qs.query.order_by) or list(qs.query.get_meta().ordering or [])
    last = order[-1] if order else None
    return isinstance(last, str) and last in UNIQUE_LAST


def page_slice(qs, start: int, stop: int, count: int) -> list:
    """qs[start:stop] as a list; past the middle of `count` rows, read from the end."""
    if start >= count:
        return []  # past the end (ninja asks for any page number)
    if start > count // 2 and _total_order(qs):
        stop = min(stop, count)
        return list(qs.reverse()[count - stop : count - start])[::-1]
    return list(qs[start:stop])


class Paginator(DjangoPaginator):
    """`kept="<kind>"`: the count is read through core.datacache (kept per data version and scope)."""

    def __init__(self, object_list, per_page, *args, kept: str | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.kept = kept

    @cached_property
    def count(self):
        if self.kept and isinstance(self.object_list, QuerySet):
            from .datacache import count

            return count(self.kept, self.object_list)
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_slice(self.object_list, bottom, top, self.count), number, self)


class Rows:
    """A sliceable, countable view of `qs` whose items are `fn(obj)` (counted once; `kept="<kind>"`: the
    count read through core.datacache). `many(objs)`, when given instead, turns a whole page at once (so
    that what the rows need besides is read once per page)."""

    def __init__(self, qs, fn=None, kept: str | None = None, many=None):
        self.qs, self.fn, self.kept = qs, fn, kept
        self.many = many or (lambda objs: [fn(x) for x in objs])
        self._count = None

    def count(self):
        if self._count is None:
            if self.kept:
                from .datacache import count

                self._count = count(self.kept, self.qs)
            else:
                self._count = self.qs.count()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice) and item.step is None and item.start is not None and item.stop is not None:
            return self.many(page_slice(self.qs, item.start, item.stop, self.count()))
        return self.many(self.qs[item])
