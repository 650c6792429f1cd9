"""How the JSON API knows its caller: a Bearer token (core.models.ApiToken) or the page session.

Both refuse a user who must change the password first (403, code `password_change_required`); the
token is put on the request (`request.api_token`) so that `POST /auth/logout` can end it.
"""

import ninja.security
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from .auth import REQUEST_DEFERRED, REQUEST_RELATED, ROLE_NAMES, adopt_request_facts, role_names
from .errors import Forbidden
from .keyedread import KeyedRead


def _tokens(key_hash, now):
    from zhengxie.core.models import ApiToken

    return (
        ApiToken.objects.select_related(*(f"user__{f}" for f in REQUEST_RELATED))
        .defer(*(f"user__{f}" for f in REQUEST_DEFERRED))
        .annotate(**{ROLE_NAMES: role_names("user_id")})
        .filter(key_hash=key_hash, expires_at__gt=now)
    )


# A live token by its hash, its SQL compiled once (core.keyedread).
TOKEN_READ = KeyedRead(_tokens, key_hash=("core.ApiToken", "key_hash"), now=("core.ApiToken", "expires_at"))


def _password_ok(user) -> None:
    """A user who must change the password (set by an administrator, or expired) gets nothing from the
    API until they have changed it on the web: 403 with code `password_change_required`."""
    from zhengxie.core.auth import password_change_required

    if password_change_required(user):
        raise Forbidden("您须先登录网页修改密码，才能使用接口。", code="password_change_required")


class BearerAuth(HttpBearer):
    def __init__(self, check_password: bool = True):
        super().__init__()
        self.check_password = check_password

    def authenticate(self, request, token):
        from zhengxie.core.models import ApiToken

        # One query: the token, its user and what the request's permission checks ask of the user.
        t = TOKEN_READ(key_hash=ApiToken.hash(token), now=timezone.now())
        if t is None or not t.user.is_active:
            return None
        adopt_request_facts(t.user, getattr(t, ROLE_NAMES))
        if self.check_password:
            _password_ok(t.user)
        request.user = t.user
        request.api_token = t
        return t.user


class SessionAuth(ninja.security.SessionAuth):
    """The logged-in page session (same name in the OpenAPI document as django-ninja's own).

    Without a logged-in session there is nothing to forge: the caller (no token, or an ended one) gets
    401 未登录或令牌无效, not django-ninja's English 403 "CSRF check Failed"; a session without the CSRF
    token gets a Chinese 403."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise Forbidden("请求缺少有效的 CSRF 令牌，请刷新页面后重试。", code="csrf") from None

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            _password_ok(user)
        return user
