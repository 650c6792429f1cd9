"""忘记密码 pages (no login): ask for a code by phone, then enter it with the new password (core.pwreset)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import pwreset
from .context import client_ip
from .errors import Invalid
from .ratelimit import RateLimited

SESSION_KEY = "pwreset_phone"
SENT = "如果该手机号已登记在平台上，验证码已发送到该手机，10 分钟内有效。"


def _style(form):
    for f in form.fields.values():
        f.widget.attrs.setdefault("class", "form-control")
    return form


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="登记的手机号",
        max_length=20,
        error_messages={"required": "请输入手机号。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "autofocus": True}),
    )


class ResetForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20, error_messages={"required": "请输入手机号。"})
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        error_messages={"required": "请输入短信中的 6 位验证码。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label="新密码",
        strip=False,
        help_text="至少 8 位，须包含大写字母、小写字母、数字、符号中的至少三类，不能与用户名相近。",
        error_messages={"required": "请输入新密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        error_messages={"required": "请再次输入新密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "两次输入的新密码不一致。")
        return data


@never_cache
@csrf_protect
def forgot(request):
    form = _style(PhoneForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            pwreset.request_code(form.cleaned_data["phone"], client_ip(request))
        except Invalid as exc:
            form.add_error("phone", exc.message)
        except RateLimited as exc:
            form.add_error(None, exc.message)
        else:
            request.session[SESSION_KEY] = pwreset.normalise_phone(form.cleaned_data["phone"])
            messages.info(request, SENT)
            return redirect("password_forgot_reset")
    status = 429 if request.method == "POST" and form.non_field_errors() else 200
    return render(request, "registration/password_forgot.html", {"form": form}, status=status)


@never_cache
@csrf_protect
def reset(request):
    initial = {"phone": request.session.get(SESSION_KEY, "")}
    form = _style(ResetForm(request.POST or None, initial=initial))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pwreset.reset_password(d["phone"], d["code"], d["password1"])
        except Invalid as exc:
            form.add_error(exc.field if exc.field in ("phone", "code") else "password1", exc.message)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, "密码已重置，请用新密码登录。")
            return redirect("login")
    return render(request, "registration/password_forgot_reset.html", {"form": form})
