"""Forms of the 微建议 pages. They keep what was typed; the checks and messages are the services' (a
service's Invalid is shown next to its field by views.common.fail)."""

from __future__ import annotations

from django import forms

from zhengxie.core.formfields import MultipleFileField, MultipleFileInput
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors
from zhengxie.core.models import HandlingUnit

from .models import Suggestion


class PublicForm(BootstrapFormMixin, forms.Form):
    # Required, but said once: the services' "请填写标题。" (required=False keeps Django's own message away).
    title = forms.CharField(
        label="标题",
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": 100, "autocomplete": "off", "placeholder": "一句话说明问题", "required": True}
        ),
    )
    content = forms.CharField(
        label="建议内容",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "发生在哪里、什么问题、您的建议", "required": True}
        ),
    )
    photos = MultipleFileField(
        label="照片（可选，最多3张）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    name = forms.CharField(label="姓名（可选）", max_length=40, required=False)
    phone = forms.CharField(
        label="手机号码（可选）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent_to_call = forms.BooleanField(label="同意承办单位打电话与我联系", required=False)
    consent = forms.BooleanField(
        label="我已阅读并同意：所留姓名、手机号码仅用于办理本建议，加密保存，不会公开",
        required=False,
    )
    # The honeypot: hidden from people (CSS and aria), filled by bots.
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["consent"].widget.attrs["class"] = "form-check-input"
        for name in ("title", "content"):  # a pause in typing them runs the 撰写助手 check (landing.html)
            self.fields[name].widget.attrs["class"] += " check-input"

    def clean(self):
        """Each field's own check, so an empty form says every problem at once (title, content, consent …),
        not one per try."""
        from . import services

        data = super().clean()
        org = self.organisation
        add_service_errors(
            self,
            lambda: services.check_title(data.get("title")),
            lambda: services.check_content(org, data.get("content")),
            lambda: services.check_name(data.get("name")),
            lambda: services.check_phone(data.get("phone")),
            lambda: services.check_photos(org, _rewound(data.get("photos"))),
            lambda: services.check_consent(data.get("consent", False)),
        )
        _rewound(data.get("photos"))  # submit reads them again
        return data


def _rewound(files):
    for f in files or ():
        f.seek(0)
    return files


class TrackForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label="查询码",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "10位查询码"}
        ),
    )


class RateForm(BootstrapFormMixin, forms.Form):
    # Not required here: the service (handling's check_rating) says what is missing.
    rating = forms.ChoiceField(
        label="您对答复的评价",
        choices=Suggestion.Rating.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label="意见（选择“不满意”时必填）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Suggestion.Status.choices]
    )
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题、编号或查询码"})
    )


class ModerateForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("accept", "受理"), ("reject", "不予受理")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    category = forms.ChoiceField(
        label="不予受理类别", required=False, choices=[("", "—"), *Suggestion.RejectCategory.choices]
    )
    duplicate_of = forms.IntegerField(label="重复于（微建议编号）", required=False, min_value=1)
    reason = forms.CharField(
        label="理由（建议人可见）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "duplicate_of", "reason"):  # only a rejection has them
            self.fields[name].show_when = "decision=reject"


class RouteForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=HandlingUnit.objects.none(), required=False)
    studio = forms.ModelChoiceField(
        label="或：委员工作室", queryset=HandlingUnit.objects.none(), required=False
    )
    deadline = forms.DateField(
        label="答复期限（可选，默认15个工作日）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label="交办说明（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation, **kwargs):
        from zhengxie.studios.models import Studio

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = HandlingUnit.objects.filter(
            organisation_id=organisation.committee.pk, is_active=True
        ).order_by("order", "id")
        self.fields["studio"].queryset = Studio.objects.filter(
            organisation_id=organisation.pk, active=True
        ).order_by("name")


class ReplyForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 5}))


class PublishForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(
        label="公开的答复（可修改措辞，勿含个人信息）", widget=forms.Textarea(attrs={"rows": 5})
    )
