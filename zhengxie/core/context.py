"""The current request's origin (IP), for audit entries written deep in services."""

from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless settings.BEHIND_PROXY says our own proxy (nginx, which
    appends the address it saw: deploy/nginx.conf) stands in front — then the LAST X-Forwarded-For hop.
    Earlier hops are whatever the client sent and are never trusted: otherwise anyone could pick a
    new address per request and walk past the per-address limits of the public forms."""
    ip = request.META.get("REMOTE_ADDR")
    if settings.BEHIND_PROXY:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        ip = hops[-1] if hops else ip
    return ip or None
