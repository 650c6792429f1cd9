import re

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q


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
