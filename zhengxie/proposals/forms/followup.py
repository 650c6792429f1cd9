"""Forms of the 跟踪落实 pages: shape of the input with Chinese messages; the services decide the rest."""

from __future__ import annotations

from django import forms

from zhengxie.core import uploads
from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.pickers import PickerField

from ..forms import check_upload
from ..selectors.followup import STATUS_FILTER_LABELS

DATE = {"type": "date"}


class PlanForm(BootstrapFormMixin, forms.Form):
    planned_date = forms.DateField(
        label="计划完成时间",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "请选择计划完成时间。", "invalid": "请输入正确的日期。"},
    )

    def __init__(self, *args, **kw):
        # Shown beside ReportForm, which has a planned_date too: ids of its own keep each label on its input.
        kw.setdefault("auto_id", "id_plan_%s")
        super().__init__(*args, **kw)


class ReportForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(
        label="进展情况",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写落实进展情况。"},
    )
    planned_date = forms.DateField(
        label="计划完成时间（可调整）",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入正确的日期。"},
    )
    attachment = forms.FileField(
        label="附件（PDF、Word .docx 或图片，可选）",
        required=False,
        error_messages={"empty": "上传的文件是空的。"},
    )
    done = forms.BooleanField(label="已落实：所承诺的工作已经完成，提请提案委员会确认", required=False)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.docx,.png,.jpg,.jpeg"

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            check_upload(upload, uploads.EVIDENCE)
        return upload


class ConfirmForm(BootstrapFormMixin, forms.Form):
    DECISIONS = [("accept", "确认办结落实"), ("return", "退回，继续落实")]

    decision = forms.ChoiceField(
        label="确认意见",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择确认办结落实或退回。"},
    )
    reason = forms.CharField(
        label="意见（退回时必填）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回时请说明理由，以便承办单位继续落实。")
        return data


class FollowUpFilterForm(forms.Form):
    OVERDUE = [("", "是否逾期"), ("1", "已逾期"), ("0", "未逾期")]

    # Searchable pickers (core.pickers): a province's units and sessions are not written into the page.
    session = PickerField("sessions", label="会次", required=False, empty_label="全部会次")
    unit = PickerField("units", label="承办单位", required=False, empty_label="全部承办单位")
    status = forms.ChoiceField(
        label="落实状态", choices=[("", "全部（不含已终止）")] + STATUS_FILTER_LABELS, required=False
    )
    overdue = forms.ChoiceField(label="逾期", choices=OVERDUE, required=False)

    def __init__(self, data=None, *, user, **kw):
        super().__init__(data, **kw)
        self.fields["session"].for_user(user)
        self.fields["unit"].for_user(user)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"
            f.widget.attrs["aria-label"] = f.label

    def filters(self) -> dict:
        """Keyword arguments for selectors_followup.followup_list (bad values are ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("session", "unit", "status", "overdue")
            if name not in self.errors and data.get(name) not in (None, "")
        }
