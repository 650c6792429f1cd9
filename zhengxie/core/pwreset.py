"""忘记密码: a password reset by an SMS code sent to the account's registered phone.

    request_code(phone, ip)                  -> None (the same whether or not an account has this phone)
    reset_password(phone, code, password)     -> the user, or Invalid

Every request writes a `PasswordResetCode` row (also for an unknown phone), so the limits — at most
PER_PHONE codes per phone and PER_ADDRESS requests per address in an hour — read the database (shared by
every process) and answer alike for accounts that exist and those that do not. The phone, the address
and the code are stored as HMACs under SECRET_KEY; a code lives CODE_MINUTES and takes MAX_ATTEMPTS wrong
guesses, and a new code or a reset ends the earlier ones. A reset checks the project's password
validators, ends the account's API tokens and login lockout, is audited and tells the user in the
platform.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import Invalid
from .models import ApiToken, PasswordResetCode, User
from .ratelimit import RateLimited

logger = logging.getLogger("zhengxie.auth")

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
PER_PHONE = 3  # codes per phone and hour
PER_ADDRESS = 10  # requests per address and hour
PHONE_RE = re.compile(r"^1\d{10}$")
BAD_CODE = "验证码错误或已过期，请重新获取。"


def _digest(kind: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_phone(phone: str) -> str:
    p = re.sub(r"[\s-]", "", phone or "")
    if p.startswith("+86"):
        p = p[3:]
    if not PHONE_RE.match(p):
        raise Invalid("请输入 11 位手机号码。", field="phone", code="bad_phone")
    return p


def _hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def request_code(phone: str, ip: str | None) -> None:
    """Send a code to `phone` if an active account has it. Raises Invalid for a malformed number and
    RateLimited past the limits; otherwise answers nothing, whatever the account."""
    phone = normalise_phone(phone)
    phone_hash, ip_hash = _digest("phone", phone), _digest("ip", ip or "-")
    with transaction.atomic():
        recent = PasswordResetCode.objects.filter(created_at__gte=_hour_ago())
        if recent.filter(ip_hash=ip_hash).count() >= PER_ADDRESS:
            raise RateLimited("获取验证码过于频繁，请一小时后再试。", code="rate_limited")
        if recent.filter(phone_hash=phone_hash).count() >= PER_PHONE:
            raise RateLimited(
                f"该手机号一小时内最多获取 {PER_PHONE} 次验证码，请稍后再试。", code="rate_limited"
            )
        user = User.objects.filter(phone=phone, is_active=True).first()
        code = f"{secrets.randbelow(10**6):06d}"
        now = timezone.now()
        # A new code ends the earlier ones of this phone.
        PasswordResetCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True).update(used_at=now)
        PasswordResetCode.objects.create(
            phone_hash=phone_hash,
            ip_hash=ip_hash,
            user=user,
            code_hash=_digest("code", f"{phone}:{code}") if user else "",
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
        )
        audit.record(
            user, "auth.password_reset_request", user, after={"account": bool(user)}, organisation=None
        )
        if user is not None:
            text = (
                f"【{settings.PLATFORM_NAME}】您的密码重置验证码为 {code}，{CODE_MINUTES} 分钟内有效。"
                "如非本人操作，请忽略本短信。"
            )
            transaction.on_commit(lambda: _send(phone, text))


def _send(phone: str, text: str) -> None:
    from .sms import get_backend

    try:
        get_backend().send(phone, text)
    except Exception:  # a gateway failure is logged; the user asks again
        logger.exception("password reset SMS failed")


def reset_password(phone: str, code: str, password: str) -> User:
    """Check the code and set the new password. Invalid (field code/password) when it cannot."""
    phone = normalise_phone(phone)
    code = (code or "").strip()
    phone_hash = _digest("phone", phone)
    with transaction.atomic():
        row = (
            PasswordResetCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if row is None or row.user_id is None or row.attempts >= MAX_ATTEMPTS:
            raise Invalid(BAD_CODE, field="code", code="bad_code")
        if not re.fullmatch(r"\d{6}", code) or not hmac.compare_digest(
            row.code_hash, _digest("code", f"{phone}:{code}")
        ):
            # The wrong guess is counted (committed) before the refusal.
            PasswordResetCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            failed = True
        else:
            failed = False
    if failed:
        raise Invalid(BAD_CODE, field="code", code="bad_code")
    user = row.user
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid("；".join(exc.messages), field="password", code="weak_password") from exc
    with transaction.atomic():
        row = PasswordResetCode.objects.select_for_update().get(pk=row.pk)
        if row.used_at is not None:
            raise Invalid(BAD_CODE, field="code", code="bad_code")
        now = timezone.now()
        PasswordResetCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True).update(used_at=now)
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.password_changed_at = now
        user.save(update_fields=["password", "password_changed_at"])
        ApiToken.revoke_all(user, "password_reset")
        _axes_reset(user)
        from .notifications import notify

        notify(
            [user],
            "您的密码已通过短信验证码重置",
            "如非本人操作，请立即联系管理员。",
            url="/accounts/security/",
            category="auth",
            email=True,
        )
        audit.record(user, "auth.password_reset_sms", user)
    return user


def _axes_reset(user) -> None:
    from axes.utils import reset

    reset(username=user.username)
    if user.phone:
        reset(username=user.phone)
