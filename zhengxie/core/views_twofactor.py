"""账号安全 (the second factor) pages, the login's code step, and the security administrator's reset."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import twofactor
from .errors import Forbidden, ServiceError

CODE_ATTRS = {
    "class": "form-control",
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "pattern": "[0-9 ]*",
    "maxlength": "7",
}


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6 位验证码",
        max_length=12,
        widget=forms.TextInput(attrs={**CODE_ATTRS, "autofocus": True}),
        error_messages={"required": "请输入验证码。"},
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label="登录密码",
        strip=False,
        error_messages={"required": "请输入密码。"},
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="6 位验证码",
        max_length=12,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": "请输入验证码。"},
    )


def _fail(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class ContactForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=11,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    email = forms.CharField(
        label="电子邮箱",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="登录密码",
        strip=False,
        error_messages={"required": "请输入密码。"},
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )


def _is_administrator(user) -> bool:
    from .models import Role

    return user.has_role(Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)


def _security_context(request, form, contact_form=None) -> dict:
    from django.utils import timezone

    from .models import ApiToken

    if contact_form is None and _is_administrator(request.user):
        contact_form = ContactForm(
            initial={"phone": request.user.phone or "", "email": request.user.email}, prefix="contact"
        )
    return {
        "contact_form": contact_form,
        "device": twofactor.device_for(request.user),
        "required": twofactor.is_required(request.user),
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user, expires_at__gt=timezone.now()).order_by(
            "-created_at"
        ),
    }


@login_required
def security(request):
    """账号安全: whether the second factor is on, and the ways to turn it on or off; the API tokens."""
    return render(request, "core/security.html", _security_context(request, DisableForm()))


@login_required
@require_POST
def contact_update(request):
    """An administrator's own phone and e-mail (where a forgotten password goes; 三员分立: no other
    administrator may change them)."""
    from zhengxie.members import services as members

    if not _is_administrator(request.user):
        raise Http404
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        d = form.cleaned_data
        try:
            members.own_contact_update(
                user=request.user, phone=d["phone"], email=d["email"], password=d["password"]
            )
        except ServiceError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "手机号和电子邮箱已保存。")
            return redirect("account_security")
    return render(request, "core/security.html", _security_context(request, DisableForm(), form), status=422)


@login_required
@require_POST
def token_revoke(request, pk=None):
    """End one of the user's own API tokens (pk) or all of them (no pk); audited."""
    from . import audit
    from .models import ApiToken

    tokens = ApiToken.objects.filter(user=request.user)
    if pk is not None:
        tokens = tokens.filter(pk=pk)
    n, _ = tokens.delete()
    if pk is not None and not n:
        raise Http404("未找到")
    if n:
        audit.record(request.user, "auth.token_revoke", request.user, after={"tokens": n, "reason": "user"})
    messages.success(request, f"已注销 {n} 个接口令牌。" if n else "没有可注销的令牌。")
    return redirect("account_security")


@never_cache
@login_required
def totp_enrol(request):
    if twofactor.device_for(request.user) is not None:
        messages.info(request, "两步验证已开启。")
        return redirect("account_security")
    key = request.session.get(twofactor.SETUP_KEY)
    if not key:
        key = request.session[twofactor.SETUP_KEY] = twofactor.new_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.totp_enrol(user=request.user, key=key, code=form.cleaned_data["code"])
        except ServiceError as exc:
            _fail(form, exc)
        else:
            request.session.pop(twofactor.SETUP_KEY, None)
            request.session[twofactor.STATE_KEY] = twofactor.VERIFIED
            messages.success(request, "两步验证已开启。今后登录时需输入身份验证器中的验证码。")
            return redirect("account_security")
    return _no_store(
        render(
            request,
            "core/totp_enrol.html",
            {
                "form": form,
                "qr": twofactor.qr_data_uri(request.user, key),
                "secret": twofactor.secret_text(key),
                "required": request.session.get(twofactor.STATE_KEY) == twofactor.ENROL,
            },
        )
    )


@login_required
@require_POST
def totp_disable(request):
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            twofactor.totp_disable(
                user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except ServiceError as exc:
            _fail(form, exc)
        else:
            request.session[twofactor.STATE_KEY] = twofactor.OK
            messages.success(request, "两步验证已关闭。")
            return redirect("account_security")
    return render(request, "core/security.html", _security_context(request, form), status=422)


@never_cache
def login_otp(request):
    """The login's second step: the password was right, now a current code from the authenticator."""
    found = twofactor.pending(request)
    if found is None:
        messages.info(request, "请重新登录。")
        return redirect("login")
    user, data = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from axes.handlers.proxy import AxesProxyHandler

        credentials = {"username": data["username"]}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(twofactor.PENDING_KEY, None)
            from .views_errors import lockout

            return lockout(request, credentials=credentials)
        device = twofactor.device_for(user)
        reason = twofactor.check_code(device, form.cleaned_data["code"]) if device else None
        if reason:
            twofactor.code_failed(request, user, data["username"], where="login")
            if getattr(request, "axes_locked_out", False):
                request.session.pop(twofactor.PENDING_KEY, None)
            form.add_error("code", reason)
        else:
            request.session.pop(twofactor.PENDING_KEY, None)
            user.otp_device = device  # django-otp keeps the device id in the session at login
            auth_login(request, user, backend=data.get("backend") or None)
            next_url = data.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
    return render(request, "registration/login_otp.html", {"form": form, "account": user})


@require_POST
def login_otp_cancel(request):
    request.session.pop(twofactor.PENDING_KEY, None)
    return redirect("login")


@login_required
@require_POST
def user_reset_2fa(request, pk):
    """The security administrator's reset (lost phone), from the user admin page."""
    from zhengxie.members import selectors

    if not request.user.has_perm("members.manage_security"):
        raise Http404("未找到")
    account = selectors.get_user(request.user, pk)
    try:
        twofactor.totp_reset(user=request.user, target=account)
    except Forbidden as exc:
        raise PermissionDenied(exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置账号“{account.username}”的两步验证，已通知本人。")
    return redirect("members:user", pk=account.pk)
