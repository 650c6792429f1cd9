import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit.record(user, "auth.login", user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user, "auth.logout", user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The username only: never the password.
    audit.record(None, "auth.login_failed", None, after={"username": credentials.get("username", "")})


@receiver(user_logged_in)
def second_factor_state(sender, request, user, **kwargs):
    from . import twofactor

    twofactor.on_logged_in(request, user)


@receiver(user_logged_in)
def session_touched_at_login(sender, request, user, **kwargs):
    """Login saves the session anyway: mark it touched so the next pages need not save it again
    (core.middleware.SessionTouchMiddleware)."""
    from .middleware import SessionTouchMiddleware

    session = getattr(request, "session", None)
    if session is not None:
        session[SessionTouchMiddleware.KEY] = int(time.time())


@receiver(user_logged_out)
def end_api_tokens_on_logout(sender, request, user, **kwargs):
    """Logging out ends the user's API tokens too (a token is no longer-lived than the session)."""
    from .models import ApiToken

    if user is not None and user.pk:
        ApiToken.revoke_all(user, "logout")


@receiver(post_save, sender="core.User")
def end_api_tokens_on_password_change(sender, instance, created, **kwargs):
    """Whatever sets a password (the user's change, an administrator's reset, django-admin,
    `manage.py changepassword`) goes through set_password, which leaves `_password` until the save:
    then every API token of the account ends."""
    from .models import ApiToken

    if not created and getattr(instance, "_password", None) is not None:
        ApiToken.revoke_all(instance, "password_change")
