"""Forms of the studios pages. They check the shape of the input (values kept on error); the content
messages come from the services' validators (add_service_errors), written once there."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin, add_service_errors
from zhengxie.core.pickers import PickerMultipleField

from . import services
from .models import ServiceOffer

CHOICE = {"invalid_choice": "所选项无效，请重新选择。"}


def _req(label: str) -> dict:
    return {"required": f"请填写{label}。", **CHOICE}


class StudioForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="工作室名称", max_length=100, error_messages=_req("工作室名称"))
    place = forms.CharField(label="地点", max_length=200, required=False)
    opening_hours = forms.CharField(
        label="开放时间",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：每周三上午9:00-11:30"}),
    )
    contact_rules = forms.CharField(
        label="联系方式与接待规则", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # core.pickers (issue #13): the members are in the page while few, searched by name beyond that.
    members = PickerMultipleField(
        "studio-members", label="入驻委员", required=False, help_text="输入姓名查找，可选择多位委员。"
    )
    active = forms.BooleanField(label="启用（在公众页面显示）", required=False, initial=True)
    swap_needs_approval = forms.BooleanField(
        label="委员换班经对方同意后，须由办公室批准才生效", required=False, initial=False
    )

    def __init__(self, *args, organisation, user, studio=None, **kw):
        super().__init__(*args, **kw)
        self.organisation = organisation
        self.fields["members"].for_user(user, **({"studio": studio} if studio is not None else {}))
        self.fields["members"].widget.attrs["data-placeholder"] = "输入姓名搜索委员，可多选"

    def clean(self):
        data = super().clean()
        add_service_errors(
            self,
            lambda: services.check_studio(
                name=data.get("name", ""),
                place=data.get("place", ""),
                opening_hours=data.get("opening_hours", ""),
                contact_rules=data.get("contact_rules", ""),
            ),
        )
        return data


class OfferForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="服务名称", max_length=100, error_messages=_req("服务名称"))
    category = forms.ChoiceField(label="类别", choices=ServiceOffer.Category.choices, error_messages=CHOICE)
    mode = forms.ChoiceField(label="方式", choices=ServiceOffer.Mode.choices, error_messages=CHOICE)
    description = forms.CharField(
        label="服务内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    available_times = forms.CharField(
        label="可预约时间",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：每月第一个周六上午"}),
    )
    capacity = forms.IntegerField(
        label="同时接受预约数",
        initial=5,
        error_messages={"required": "请填写同时接受预约数。", "invalid": "请填写整数。"},
    )
    studio = forms.TypedChoiceField(
        label="所在工作室", required=False, coerce=int, empty_value=None, error_messages=CHOICE
    )
    active = forms.BooleanField(label="上架（公众可预约）", required=False, initial=True)

    def __init__(self, *args, studios=(), **kw):
        super().__init__(*args, **kw)
        self.fields["studio"].choices = [("", "（不在工作室）")] + [(s.pk, s.name) for s in studios]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        add_service_errors(
            self,
            lambda: services.check_offer(
                **{
                    k: data.get(k)
                    for k in ("title", "description", "category", "mode", "available_times", "capacity")
                }
            ),
        )
        return data


class BookingForm(forms.Form):
    """The public form (no Bootstrap: the light public page styles plain inputs)."""

    name = forms.CharField(label="您的称呼", max_length=40, error_messages=_req("称呼"))
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        error_messages=_req("手机号"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )
    preferred_time = forms.CharField(label="希望时间", max_length=100, required=False)
    note = forms.CharField(
        label="需求说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    consent = forms.BooleanField(
        label="我同意将称呼和手机号提供给为我服务的委员和政协办公室，仅用于本次服务联系。",
        error_messages={"required": "请阅读并同意个人信息使用说明。"},
    )
    sms = forms.BooleanField(
        label="委员受理或婉拒后，发短信告诉我结果（发往上面的手机号）。", required=False, initial=True
    )

    def clean(self):
        data = super().clean()
        add_service_errors(
            self,
            lambda: services.check_booking(
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                preferred_time=data.get("preferred_time", ""),
                note=data.get("note", ""),
                consent=bool(data.get("consent")),
                sms=bool(data.get("sms")),
            ),
        )
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="预约码",
        max_length=20,
        error_messages=_req("预约码"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="答复或理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ServiceRecordForm(BootstrapFormMixin, forms.Form):
    served_on = forms.DateField(
        label="服务日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写服务日期。", "invalid": "日期格式有误。"},
    )
    people_served = forms.IntegerField(
        label="服务人数",
        initial=1,
        error_messages={"required": "请填写服务人数。", "invalid": "请填写整数。"},
    )
    summary = forms.CharField(
        label="服务情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_req("服务情况"),
    )
    offer = forms.TypedChoiceField(
        label="服务项目", required=False, coerce=int, empty_value=None, error_messages=CHOICE
    )

    def __init__(self, *args, offers=None, **kw):
        super().__init__(*args, **kw)
        self.fields["served_on"].initial = timezone.localdate()
        if offers is None:
            del self.fields["offer"]
        else:
            self.fields["offer"].choices = [("", "（不属于某项服务，如来访接待）")] + [
                (o.pk, o.title) for o in offers
            ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        add_service_errors(
            self,
            lambda: services.check_service(
                served_on=data.get("served_on"),
                summary=data.get("summary", ""),
                people_served=data.get("people_served"),
            ),
        )
        return data
