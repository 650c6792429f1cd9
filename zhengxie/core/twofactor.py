"""The optional second factor (两步验证): a TOTP authenticator app (6 digits, 30 s), through django-otp.

Login with a confirmed device takes two steps. The password puts a *pending* marker in the session and
the user stays anonymous, so no page and no API call is open to them; a current code then logs them in.
Each logged-in session carries a state (STATE_KEY) decided at login: the second-factor middleware turns
away a session that skipped the code (e.g. a password-only login elsewhere) and sends a user whose role
requires the second factor (setting `security.require_2fa_roles`) to enrolment.

Secrets live where django-otp keeps them (TOTPDevice.key); they never reach the audit log or the logs.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import audit, orgsettings
from .errors import Conflict, Forbidden, Invalid
from .models import ApiToken, User
from .notifications import notify
from .permissions import in_scope

REQUIRED_ROLES_KEY = "security.require_2fa_roles"
orgsettings.register(REQUIRED_ROLES_KEY, [], "必须启用两步验证的角色(角色代码，如 staff、secadmin)")

STATE_KEY = "zx_2fa"  # session: what the second factor asks of this logged-in session
PENDING_KEY = "zx_2fa_pending"  # session: password checked, code awaited (not logged in)
SETUP_KEY = "zx_2fa_setup"  # session: the secret being enrolled, until confirmed with a code
PENDING_SECONDS = 300
DEVICE_NAME = "身份验证器"
CODE_RE = re.compile(r"^\d{6}$")

OK, VERIFIED, ENROL, NEEDS_CODE = "ok", "verified", "enrol", "needs_code"

WRONG_CODE = "验证码错误或已过期，请输入验证器中当前显示的 6 位数字。"


def device_for(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_required(user) -> bool:
    """Whether the user's organisation requires a second factor for one of the user's roles."""
    roles = orgsettings.get(user.organisation if user.organisation_id else None, REQUIRED_ROLES_KEY)
    return isinstance(roles, list) and bool(set(roles) & set(user.role_codes))


def login_state(user, *, verified: bool = False) -> str:
    if verified:
        return VERIFIED
    if device_for(user) is not None:
        return NEEDS_CODE
    return ENROL if is_required(user) else OK


def _clean(code) -> str:
    return re.sub(r"\s+", "", str(code or ""))


def check_code(device: TOTPDevice, code) -> str | None:
    """None when the code is right (and used up); else the Chinese reason. Failures are throttled by
    django-otp (1, 2, 4 ... seconds), committed even if the caller's transaction rolls back."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        until = (info or {}).get("locked_until")
        seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
        return f"验证码错误次数过多，请 {seconds} 秒后再试。"
    code = _clean(code)
    if not CODE_RE.match(code):
        device.throttle_increment()
        return WRONG_CODE
    if verify_token(device.user, device.persistent_id, code) is None:
        return WRONG_CODE
    return None


def code_failed(request, user, username: str, *, where: str) -> None:
    """A wrong second-step code: audited, and counted by django-axes like a wrong password."""
    audit.record(user, "auth.2fa_failed", user, after={"where": where})
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# --- enrolment ----------------------------------------------------------------------------------------


def new_secret() -> str:
    return random_hex(20)


def secret_text(key: str) -> str:
    """The base32 secret for typing into an app, in groups of four."""
    b32 = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def qr_data_uri(user, key: str) -> str:
    """The otpauth:// URL as an SVG QR code (a data: URI: made here, no external service)."""
    url = TOTPDevice(user=user, key=key).config_url
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def totp_enrol(*, user: User, key: str, code) -> TOTPDevice:
    """Confirm the secret shown to the user with a current code; nothing is saved until it matches."""
    if not user.is_authenticated:
        raise Forbidden("请先登录。")
    if device_for(user) is not None:
        raise Conflict("两步验证已开启。")
    code = _clean(code)
    if not CODE_RE.match(code):
        raise Invalid("请输入验证器中显示的 6 位数字。", field="code")
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        raise Invalid(
            "验证码不正确：请确认已扫描本页的二维码、手机时间准确，再输入当前显示的 6 位数字。", field="code"
        )
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if device_for(user) is not None:
            raise Conflict("两步验证已开启。")
        device = TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
        )
        # Tokens obtained with the password alone end here: from now on a token needs a code too.
        ApiToken.objects.filter(user=user).delete()
        audit.record(user, "auth.2fa_enabled", user, after={"device": DEVICE_NAME})
        notify(
            [user],
            "已开启两步验证",
            "今后登录时，输入密码后还需输入身份验证器中的 6 位验证码。如非本人操作，请立即联系安全管理员。",
            url=reverse("account_security"),
            category="security",
        )
    return device


def totp_disable(*, user: User, password: str, code) -> None:
    """The user turns the second factor off, with their password and a current code."""
    if not user.is_authenticated:
        raise Forbidden("请先登录。")
    device = device_for(user)
    if device is None:
        raise Conflict("两步验证未开启。")
    if is_required(user):
        raise Conflict("您的角色要求使用两步验证，不能关闭；更换手机请联系安全管理员重置。")
    if not user.check_password(password or ""):
        raise Invalid("密码不正确。", field="password")
    reason = check_code(device, code)
    if reason:
        audit.record(user, "auth.2fa_failed", user, after={"where": "disable"})
        raise Invalid(reason, field="code")
    with transaction.atomic():
        n, _ = TOTPDevice.objects.filter(user=user).delete()
        audit.record(user, "auth.2fa_disabled", user, before={"devices": n})
        notify(
            [user],
            "已关闭两步验证",
            "今后登录只需密码。如非本人操作，请立即修改密码并联系安全管理员。",
            url=reverse("account_security"),
            category="security",
        )


def totp_reset(*, user: User, target: User) -> int:
    """The security administrator removes a user's authenticator (lost phone); the user is told."""
    if not user.has_perm("members.manage_security", target):
        raise Forbidden("无权重置两步验证。")
    if not in_scope(user, target.organisation):
        raise Forbidden("无权重置该账号的两步验证。")
    if target.pk == user.pk:
        raise Conflict("请在“账号安全”中管理您自己的两步验证。")
    with transaction.atomic():
        n, _ = TOTPDevice.objects.filter(user=target).delete()
        if not n:
            raise Conflict("该账号未开启两步验证。")
        audit.record(user, "members.user_reset_2fa", target, before={"devices": n})
        notify(
            [target],
            "您的两步验证已被重置",
            f"安全管理员{user.name or user.username}重置了您账号的两步验证，下次登录只需密码；请在“账号安全”中重新绑定身份验证器。"
            "如非您本人申请，请立即联系安全管理员。",
            url=reverse("account_security"),
            category="security",
        )
    return n


# --- the login's second step ------------------------------------------------------------------------


def start_pending(request, user, *, username: str, backend: str, next_url: str) -> None:
    """Password checked, code awaited: the session remembers who, for a few minutes (still anonymous)."""
    request.session.pop(SETUP_KEY, None)
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "username": username,
        "backend": backend,
        "next": next_url,
        "at": int(time.time()),
    }


def pending(request) -> tuple[User, dict] | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.select_related("organisation").filter(pk=data.get("uid"), is_active=True).first()
    return (user, data) if user is not None else None


def on_logged_in(request, user) -> None:
    """Decide, once per login, what the second factor asks of this session (see the middleware)."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(PENDING_KEY, None)
        request.session[STATE_KEY] = login_state(user, verified=getattr(user, "otp_device", None) is not None)
