"""The one answer to "where may a `next` parameter send the user": only to this site.

Every view that redirects to a `next` it was given (a hidden field, a query parameter) calls
`safe_next(request, default)`; an absolute URL to another host, a scheme-relative `//host`, `/\\host`,
`javascript:` and the like give `default` instead (django.utils.http.url_has_allowed_host_and_scheme).
"""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    )


def safe_next(request, default, *, field: str = "next", prefix: str = "") -> str:
    """The request's `next` (POST, else GET) when it stays on this site (and, with `prefix`, starts with
    it), else `default` (a URL or a URL name, as for `redirect`)."""
    url = request.POST.get(field) or request.GET.get(field) or ""
    if is_safe_next(request, url) and url.startswith(prefix):
        return url
    return resolve_url(default)
