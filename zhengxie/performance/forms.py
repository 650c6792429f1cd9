from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.members.models import Member

from . import acts as A

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


class TalkForm(BootstrapFormMixin, forms.Form):
    """谈话提醒 recorded on a warning case (services_warnings.warning_talk checks again)."""

    talk_by = forms.ChoiceField(
        label="谈话人身份",
        choices=[("convener", "界别召集人或组长"), ("staff", "机关工作人员")],
        error_messages={"required": "请选择谈话人身份（界别召集人或组长、机关工作人员）。"},
    )
    talk_convener = forms.ModelChoiceField(
        label="界别召集人或组长",
        queryset=None,
        required=False,
        empty_label="（不在名单中，填写姓名）",
        help_text="谈话人是该委员的界别召集人或委员小组组长时选择（记录会写明其职务）；决定作出后会通知其本人。",
    )
    talk_by_name = forms.CharField(label="谈话人姓名", max_length=40, required=False)
    talk_on = forms.DateField(
        label="谈话日期",
        # ISO, as <input type="date"> reads it (the locale's 2026/12/04 would show an empty field)
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写谈话日期。", "invalid": "日期格式不正确。"},
    )
    talk_summary = forms.CharField(
        label="谈话内容",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写谈话内容。"},
    )
    member_response = forms.CharField(
        label="委员表态",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写委员的表态（如未表态，请注明）。"},
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhengxie.members.forms import member_choice_label

        self.fields["talk_convener"].queryset = members
        self.fields["talk_convener"].label_from_instance = member_choice_label
        self.fields["talk_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ConvenerTalkForm(TalkForm):
    """The 谈话提醒 a 界别召集人 / 组长 records of their own talk: the talker is themself (the service sets it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, members=Member.objects.none(), **kwargs)
        for name in ("talk_by", "talk_convener", "talk_by_name"):
            del self.fields[name]


class DecisionForm(BootstrapFormMixin, forms.Form):
    """劝辞 / 视为辞去 / 继续履职 / 撤销预警 with the rule cited and the grounds."""

    decision = forms.ChoiceField(label="处理决定", error_messages={"required": "请选择处理决定。"})
    rule = forms.ChoiceField(label="依据规则", required=False)
    grounds = forms.CharField(
        label="决定理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写决定的理由（依据的规则和事实）。"},
    )

    def __init__(self, *args, actions=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(t.action, t.label) for t in actions]
        self.fields["rule"].choices = [("", "（不引用规则）")] + [(r["code"], r["label"]) for r in rules]


class AdjustForm(BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label="确定等次")
    reason = forms.CharField(label="调整理由", max_length=500, required=False)

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in grades]


class YearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
