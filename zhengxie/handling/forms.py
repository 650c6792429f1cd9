"""The case page's forms (答复, 答复函, 评价, 延期). They parse; the messages are the services' own
(core.forms.add_service_errors where a validator stands alone, else the service's error put by its field
after the call), so that a form keeps what was typed and says what is wrong next to the field."""

from __future__ import annotations

from django import forms

from zhengxie.core.errors import Invalid
from zhengxie.core.formfields import MultipleFileField
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors

from . import kinds
from .models import Evaluation, Reply
from .services import units
from .services.ratings import check_rating
from .services.signoff import DECISIONS, RETURN, check_decision
from .services.supervision import check_extension_date, check_extension_reason
from .services.units import result_classes

# A service's field name → the form's (the reply's file field is `letter`, or `files` where the kind
# takes several).
FIELDS = {"file": "letter", "upload": "letter"}


def service_error(form, exc) -> None:
    """Show a service's error by its field (or above the form)."""
    name = FIELDS.get(exc.field, exc.field)
    if name == "letter" and "files" in form.fields:
        name = "files"
    form.add_error(name if name in form.fields else None, exc.message)


def _file_field(kind, *, required: bool, later: bool) -> forms.FileField:
    """The reply's file field as the kind says (Kind.reply_file_*): one letter, or several files."""
    note = kind.reply_file_note + ("，可稍后上传" if later else "")
    label = f"{kind.reply_file_label}（{note}）"
    if kind.reply_file_many:
        field = MultipleFileField(
            label=label,
            required=required,
            error_messages={"required": f"请选择要上传的{kind.reply_file_label}。"},
        )
    else:
        field = forms.FileField(
            label=label,
            required=required,
            error_messages={
                "required": f"请选择要上传的{kind.reply_file_label}（{units.file_types_label(kind)}）。",
                "empty": "上传的文件是空的。",
            },
        )
    field.widget.attrs["accept"] = ",".join(ACCEPT[k] for k in kind.reply_file_types)
    return field


# What the browser's file picker offers, by core.uploads kind.
ACCEPT = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "png": "image/png", "jpg": "image/jpeg"}


class ReplyFilesMixin:
    """The reply's file field (`letter`, or `files` where the kind takes several), checked by content."""

    files_required = False
    files_later = False

    def _add_file_field(self, case):
        self.kind = kinds.get(case.kind)
        name = "files" if self.kind.reply_file_many else "letter"
        self.fields[name] = _file_field(self.kind, required=self.files_required, later=self.files_later)
        self.file_field = name

    def _check_files(self, value):
        try:
            units.check_reply_files(self.kind, units.as_uploads(value))
        except Invalid as exc:
            raise forms.ValidationError(exc.message)
        return value

    def clean_letter(self):
        return self._check_files(self.cleaned_data.get("letter"))

    def clean_files(self):
        return self._check_files(self.cleaned_data.get("files"))

    def uploads(self):
        """What the service takes: the one letter, or the list of files."""
        return self.cleaned_data.get(self.file_field)


class ReplyForm(ReplyFilesMixin, BootstrapFormMixin, forms.Form):
    result_class = forms.ChoiceField(label="答复类别", required=False, widget=forms.RadioSelect)
    # Not required here: the service says what is missing (请填写答复内容。).
    content = forms.CharField(
        label="答复内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": units.REPLY_MAX}),
    )
    files_later = True

    def __init__(self, *args, case, **kw):
        super().__init__(*args, **kw)
        classes = result_classes(case)
        if classes:
            labels = dict(Reply.ResultClass.choices)
            self.fields["result_class"].choices = [(c, labels.get(c, f"{c}类")) for c in classes]
            self.fields["result_class"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["result_class"]
        self._add_file_field(case)


class LetterForm(ReplyFilesMixin, BootstrapFormMixin, forms.Form):
    """上传答复函 after replying (replaces the letter), or more 整改佐证 (added) where the kind takes several."""

    files_required = True

    def __init__(self, *args, case, **kw):
        super().__init__(*args, **kw)
        self._add_file_field(case)


class RateForm(BootstrapFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label="评价", choices=Evaluation.Rating.choices, required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见（不满意时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": units.COMMENT_MAX}),
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
        label="延期理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": units.REASON_MAX}),
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
        label="退回理由（退回修改时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": units.REASON_MAX}),
    )

    def __init__(self, *args, case=None, **kw):
        super().__init__(*args, **kw)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
        self.fields["reason"].show_when = f"decision={RETURN}"

    def clean(self):
        data = super().clean()
        add_service_errors(self, lambda: check_decision(data.get("decision") or "", data.get("reason") or ""))
        return data


class RequestChangeForm(BootstrapFormMixin, forms.Form):
    """申请调整: the unit says why the item is not its own (the service says what is missing)."""

    reason = forms.CharField(
        label="申请调整（退回）理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": units.REASON_MAX}),
        help_text="说明该事项为何不属于本单位职责，或应由哪个单位办理。",
    )

    def __init__(self, *args, case=None, **kw):
        super().__init__(*args, **kw)

    def clean(self):
        data = super().clean()
        add_service_errors(self, lambda: units.check_change_reason(data.get("reason")))
        return data


class ChangeDecisionForm(BootstrapFormMixin, forms.Form):
    """审核调整申请, what every kind asks: grant or refuse, and the note a refusal needs (the service's
    check). A kind's form adds its `new_unit` field (the spine's below; proposals' picks from its units)."""

    field_order = ["grant", "new_unit", "note"]

    grant = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "同意调整"), ("0", "不同意调整")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择是否同意调整。"},
    )
    note = forms.CharField(
        label="审核意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": units.REASON_MAX}),
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["grant"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("grant") is not None:
            add_service_errors(self, lambda: units.check_change_decision(data["grant"], data.get("note")))
        return data


class DecideChangeForm(ChangeDecisionForm):
    """审核调整申请: the office grants (the item goes to the unit chosen) or refuses (with a note)."""

    new_unit = forms.ChoiceField(label="改由承办单位（同意时必选）", required=False)

    def __init__(self, *args, case, **kw):
        from zhengxie.core.models import HandlingUnit

        from .models import Assignment

        super().__init__(*args, **kw)
        taken = Assignment.objects.filter(case_id=case.pk, is_active=True).values_list("unit_id", flat=True)
        units_qs = (
            HandlingUnit.objects.filter(organisation_id=case.organisation_id, is_active=True)
            .exclude(pk__in=list(taken))
            .order_by("name")
            .values_list("pk", "name")
        )
        self.fields["new_unit"].choices = [("", "请选择")] + [(str(pk), name) for pk, name in units_qs]

    def clean(self):
        data = super().clean()
        if data.get("grant") is True and not data.get("new_unit"):
            self.add_error("new_unit", "请选择改由哪个承办单位办理。")
        return data


class ContactForm(BootstrapFormMixin, forms.Form):
    """沟通协商: when, how and what was said (the spine's units.record_contact checks it)."""

    contacted_on = forms.CharField(
        label="联系日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label="沟通方式", required=False)
    summary = forms.CharField(
        label="沟通情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": units.CONTACT_MAX}),
    )

    def __init__(self, *args, case=None, **kw):
        from .models import Contact

        super().__init__(*args, **kw)
        self.fields["method"].choices = [("", "请选择")] + list(Contact.Method.choices)
