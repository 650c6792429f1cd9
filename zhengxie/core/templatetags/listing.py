"""`{% sort_th "deadline" "期限" %}`: a sortable column header. It links to the same page with `sort` set to
the key (then, when already sorted by it, to the descending key), keeping every other parameter but the
page; the current sort shows an arrow and `aria-sort`. The view puts the effective key in `sort`."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str, css: str = ""):
    request = context["request"]
    current = context.get("sort", "") or ""
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], aria, icon, hint = f"-{key}", "ascending", "bi-caret-up-fill", "改为降序"
    elif current == f"-{key}":
        params["sort"], aria, icon, hint = key, "descending", "bi-caret-down-fill", "改为升序"
    else:
        params["sort"], aria, icon, hint = key, "none", "bi-chevron-expand text-muted", "点击排序"
    return format_html(
        '<th class="{}" aria-sort="{}"><a class="sort-link text-reset text-decoration-none text-nowrap" '
        'href="?{}" title="按{}排序（{}）">{}<i class="bi {} ms-1 small" aria-hidden="true"></i></a></th>',
        css,
        aria,
        params.urlencode(),
        label,
        hint,
        label,
        icon,
    )
