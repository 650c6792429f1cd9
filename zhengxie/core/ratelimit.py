"""Per-address rate limits for public (no login) submissions: a counter per client address and hour in the
cache (Redis in production, shared by every app process). The address is hashed, never stored.

    ratelimit.throttle(ip, organisation, scope="studios.booking", message="…每小时最多{limit}次…")

raises RateLimited (429, the Chinese message as `detail`) past the organisation's `public.rate_per_hour`.
In-process callers that are not the public (the demo loader) run inside `ratelimit.exempt()`: they are
neither counted nor refused — otherwise loading the demo twice within an hour against one Redis (a
re-deploy, a second test run) would be refused by the first load's count.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.utils import timezone

from . import orgsettings
from .errors import ServiceError

orgsettings.register("public.rate_per_hour", 10, "公众提交：每个网络地址每小时最多提交次数")


_exempt: ContextVar[bool] = ContextVar("ratelimit_exempt", default=False)


@contextmanager
def exempt():
    """Within this block submissions are not counted against any address (trusted in-process callers)."""
    token = _exempt.set(True)
    try:
        yield
    finally:
        _exempt.reset(token)


class RateLimited(ServiceError):
    """Too many submissions from one address: 429."""

    status = 429


def hit(ip, scope: str) -> int:
    """Count one submission from this address in the current hour for `scope`; return the count so far
    (0 inside `exempt()`: nothing counted)."""
    if _exempt.get():
        return 0
    hour = int(timezone.now().timestamp() // 3600)
    digest = hashlib.sha256(f"{ip or '-'}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{hour}"
    cache.add(key, 0, timeout=3700)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3700)
        return 1


def throttle(ip, organisation, *, scope: str, message: str) -> None:
    """Count one submission; past `public.rate_per_hour` refuse it. `message` may use {limit}."""
    limit = int(orgsettings.get(organisation, "public.rate_per_hour"))
    if hit(ip, scope) > limit:
        raise RateLimited(message.format(limit=limit), code="rate_limited")
