import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .auth import password_change_required
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
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
            if request.path not in allowed and password_change_required(user):
                return redirect("password_change")
        return self.get_response(request)


class SecondFactorMiddleware:
    """A logged-in session whose user has an authenticator but gave no code (a password-only login
    elsewhere) is logged out and sent to the code step; a user whose role requires the second factor
    and who has none yet is sent to enrolment (pages only, like the password expiry)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import BACKEND_SESSION_KEY, logout

        from . import twofactor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/static/"):
            return self.get_response(request)
        state = request.session.get(twofactor.STATE_KEY)
        if state is None:  # a session from before the second factor existed
            state = request.session[twofactor.STATE_KEY] = twofactor.login_state(user)
        page = not request.path.startswith("/api/")
        if state == twofactor.NEEDS_CODE:
            username, backend = user.get_username(), request.session.get(BACKEND_SESSION_KEY, "")
            logout(request)
            if page:
                twofactor.start_pending(
                    request, user, username=username, backend=backend, next_url=request.get_full_path()
                )
                return redirect("login_otp")
        elif state == twofactor.ENROL and page:
            allowed = {
                reverse(n)
                for n in (
                    "account_security",
                    "totp_enrol",
                    "logout",
                    "password_change",
                    "password_change_done",
                )
            }
            if request.path not in allowed:
                return redirect("totp_enrol")
        return self.get_response(request)


class SessionTouchMiddleware:
    """The idle timeout slides without rewriting the session on every request: a session is saved again
    (its expiry pushed SESSION_COOKIE_AGE ahead) only when SESSION_TOUCH_SECONDS have passed since the
    last save, so a busy user costs one session write a minute instead of one per page (issue 16). Idle
    users are still logged out after SESSION_COOKIE_AGE, at most SESSION_TOUCH_SECONDS late."""

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and session.session_key:
            now = int(time.time())
            if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[self.KEY] = now
        return response
