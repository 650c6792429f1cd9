import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the username or the mobile phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from .models import User

        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            User().set_password(password)  # same work either way: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class ComplexityValidator:
    """At least three of: lower case, upper case, digits, symbols (等保 password policy)."""

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"


def password_change_required(user) -> bool:
    """Whether the user must change the password before doing anything else: set by an administrator
    (a new account, an import, a reset) or past PASSWORD_EXPIRY_DAYS. Pages redirect to the change form
    (core.middleware); the API answers 403 with code `password_change_required` (zhengxie.api)."""
    from .models import MUST_CHANGE_PASSWORD_AT

    changed = user.password_changed_at
    if changed is None:
        return False
    if changed <= MUST_CHANGE_PASSWORD_AT:
        return True
    days = settings.PASSWORD_EXPIRY_DAYS
    return bool(days and (timezone.now() - changed).days >= days)
