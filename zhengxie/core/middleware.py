from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .context import client_ip, current_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class PasswordExpiryMiddleware:
    """Sends a user whose password has expired to the change-password page (pages only, not the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/api/", "/static/")):
            changed = user.password_changed_at
            days = settings.PASSWORD_EXPIRY_DAYS
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
            if days and changed and (timezone.now() - changed).days >= days and request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
