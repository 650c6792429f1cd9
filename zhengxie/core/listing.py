"""Sorting and page size of a list page, kept in the URL (`?sort=-deadline&per_page=50`) and so across
pagination and filters: `sort_key(request, keys, default)` takes the `sort` parameter only when it names a
whitelisted key (with an optional leading "-" for descending), `order_by(qs, sort, keys)` orders a queryset
by it (NULLs last either way, then by id so pages are stable), `page_size(request)` takes `per_page` from
PAGE_SIZES. The column headers are the `{% sort_th %}` tag (core/templatetags/listing.py); on phones, where
a table becomes cards without headers, the filter form's `includes/sort_select.html` (`sort_choices`) does
the same; the size picker is `includes/page_size.html`."""

from __future__ import annotations

from django.db.models import F
from django.db.models.expressions import Expression

PAGE_SIZES = (20, 50, 100)


def page_size(request, default: int = PAGE_SIZES[0]) -> int:
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PAGE_SIZES else default


def sort_key(value: str, keys, default: str = "") -> str:
    """`value` if it is a whitelisted key or its descending form, else `default`."""
    value = (value or "").strip()
    return value if value.lstrip("-") in keys and value.count("-") <= 1 else default


def sort_choices(labels: dict[str, str], default: str = "") -> list[tuple[str, str]]:
    """The options of the sort picker: each key ascending and descending ("期限 升序", "期限 降序"), after
    the default order when `default` names it ("默认排序")."""
    out = [("", default)] if default else []
    for key, label in labels.items():
        out += [(key, f"{label} 升序"), (f"-{key}", f"{label} 降序")]
    return out


def order_by(qs, sort: str, keys: dict):
    """`qs` ordered by the key `sort` ("-title": descending): `keys` maps a key to a field name or an
    expression; NULLs come last both ways and the id breaks ties (a total order for the paginator)."""
    name = sort.lstrip("-")
    target = keys[name]
    expr = target if isinstance(target, Expression) else F(target)
    ordered = expr.desc(nulls_last=True) if sort.startswith("-") else expr.asc(nulls_last=True)
    return qs.order_by(ordered, "-id" if sort.startswith("-") else "id")
