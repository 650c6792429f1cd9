from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="用户名或手机号",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "class": "form-control", "autocomplete": "username"}
        ),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "用户名/手机号或密码错误。",
        "inactive": "该账号已停用。",
    }


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class BootstrapFormMixin:
    """Adds Bootstrap classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, (forms.CheckboxInput,)):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.RadioSelect):  # radios and lists of checkboxes (CheckboxSelectMultiple)
                w.attrs.setdefault("class", "form-check-input me-1")
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


def add_service_errors(form, *checks, fields: dict | None = None) -> None:
    """Run the services' own validators (callables raising core.errors.Invalid) inside a form's clean, and
    show each message next to its field: the messages are written once, in the services, and the form
    still shows every problem at once."""
    from zhengxie.core.errors import Invalid

    for check in checks:
        try:
            check()
        except Invalid as exc:
            name = (fields or {}).get(exc.field, exc.field)
            if name in form.fields and form.has_error(name):
                continue  # the field's own check already said what is wrong with it: once is enough
            form.add_error(name if name in form.fields else None, exc.message)
