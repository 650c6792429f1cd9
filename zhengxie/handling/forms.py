"""The case page's forms (答复, 答复函, 评价, 延期). They parse; the messages are the services' own
(core.forms.add_service_errors where a validator stands alone, else the service's error put by its field
after the call), so that a form keeps what was typed and says what is wrong next to the field."""

from __future__ import annotations

from django import forms

from zhengxie.core import uploads
from zhengxie.core.errors import Invalid
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors

from .models import Evaluation, Reply
from .services.ratings import check_rating
from .services.signoff import DECISIONS, check_decision
from .services.supervision import check_extension_date, check_extension_reason
from .services.units import result_classes

# A service's field name → the form's.
FIELDS = {"file": "letter", "upload": "letter"}


def service_error(form, exc) -> None:
    """Show a service's error by its field (or above the form)."""
    name = FIELDS.get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def _check_letter(form, name: str):
    f = form.cleaned_data.get(name)
    if f is None:
        return f
    try:
        uploads.validate(f, uploads.DOCUMENTS)
    except Invalid as exc:
        raise forms.ValidationError(exc.message)
    finally:
        f.seek(0)
    return f


class ReplyForm(BootstrapFormMixin, forms.Form):
    result_class = forms.ChoiceField(label="答复类别", required=False, widget=forms.RadioSelect)
    # Not required here: the service says what is missing (请填写答复内容。).
    content = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    letter = forms.FileField(
        label="答复函（已签发盖章，PDF 或 Word .docx，可稍后上传）",
        required=False,
        error_messages={"empty": "上传的文件是空的。"},
    )

    def __init__(self, *args, case, **kw):
        super().__init__(*args, **kw)
        classes = result_classes(case)
        if classes:
            labels = dict(Reply.ResultClass.choices)
            self.fields["result_class"].choices = [(c, labels.get(c, f"{c}类")) for c in classes]
            self.fields["result_class"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["result_class"]
        self.fields["letter"].widget.attrs["accept"] = ".pdf,.docx"

    def clean_letter(self):
        return _check_letter(self, "letter")


class LetterForm(BootstrapFormMixin, forms.Form):
    letter = forms.FileField(
        label="答复函（已签发盖章，PDF 或 Word .docx）",
        error_messages={
            "required": "请选择要上传的答复函（PDF 或 Word .docx）。",
            "empty": "上传的文件是空的。",
        },
    )

    def __init__(self, *args, case=None, **kw):
        super().__init__(*args, **kw)
        self.fields["letter"].widget.attrs["accept"] = ".pdf,.docx"

    def clean_letter(self):
        return _check_letter(self, "letter")


class RateForm(BootstrapFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label="评价", choices=Evaluation.Rating.choices, required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见（不满意时必填）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case=None, **kw):
        super().__init__(*args, **kw)
        self.fields["rating"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        add_service_errors(self, lambda: check_rating(data.get("rating") or "", data.get("comment") or ""))
        return data


class ExtendForm(BootstrapFormMixin, forms.Form):
    new_deadline = forms.CharField(
        label="新的办理期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="延期理由", required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )

    def __init__(self, *args, case, **kw):
        super().__init__(*args, **kw)
        self.case = case

    def clean(self):
        data = super().clean()
        add_service_errors(
            self,
            lambda: check_extension_date(self.case.deadline, data.get("new_deadline")),
            lambda: check_extension_reason(data.get("reason")),
        )
        return data


class SignForm(BootstrapFormMixin, forms.Form):
    """签发: the unit head signs a handler's reply draft off or returns it with a reason."""

    decision = forms.ChoiceField(
        label="签发意见", choices=list(DECISIONS.items()), required=False, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="退回理由（退回修改时必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case=None, **kw):
        super().__init__(*args, **kw)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        add_service_errors(self, lambda: check_decision(data.get("decision") or "", data.get("reason") or ""))
        return data
