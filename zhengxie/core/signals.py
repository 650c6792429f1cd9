from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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
