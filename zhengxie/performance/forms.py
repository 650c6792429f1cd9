from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin

from . import acts as A
from . import schemes

EVIDENCE_REQUIRED = "请上传佐证材料（照片、PDF 或 Word 文件），没有佐证材料不能提交。"


class SelfReportForm(BootstrapFormMixin, forms.Form):
    act = forms.ChoiceField(label="履职事项", choices=A.SELF_REPORT_CHOICES)
    occurred_on = forms.DateField(
        label="履职日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写履职日期。", "invalid": "日期格式不正确。"},
    )
    description = forms.CharField(
        label="情况说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写情况说明。"},
    )
    evidence = forms.FileField(
        label="佐证材料",
        help_text="照片（JPG/PNG）或 PDF、Word(.docx) 文件，必传。",
        error_messages={"required": EVIDENCE_REQUIRED, "empty": "文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="未通过原因", max_length=500, error_messages={"required": "请填写未通过的原因。"}
    )


class WarningStepForm(BootstrapFormMixin, forms.Form):
    rule = forms.CharField(widget=forms.HiddenInput)
    step = forms.ChoiceField(label="处理措施", choices=[(s, s) for s in schemes.WARNING_STEPS])
    note = forms.CharField(label="说明", max_length=500, required=False)


class AdjustForm(BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label="确定等次")
    reason = forms.CharField(label="调整理由", max_length=500, required=False)

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in grades]


class YearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
