"""Per-address rate limits for public (no login) submissions: a counter per client address and hour in the
cache (Redis in production, shared by every app process). The address is hashed, never stored.

    ratelimit.throttle(ip, organisation, scope="studios.booking", message="…每小时最多{limit}次…")

raises RateLimited (429, the Chinese message as `detail`) past the organisation's `public.rate_per_hour`.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import timezone

from . import orgsettings
from .errors import ServiceError

orgsettings.register("public.rate_per_hour", 10, "公众提交：每个网络地址每小时最多提交次数")


class RateLimited(ServiceError):
    """Too many submissions from one address: 429."""

    status = 429


def hit(ip, scope: str) -> int:
    """Count one submission from this address in the current hour for `scope`; return the count so far."""
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
