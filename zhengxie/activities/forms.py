from django import forms

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member, MemberGroup, Sector, SpecialCommittee

from .models import Meeting

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DT_FORMAT, **kwargs)


class MeetingForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "committee",
            "agenda",
            "checkin_before_minutes",
            "checkin_after_minutes",
        ]
        widgets = {
            "starts_at": DateTimeLocal(),
            "ends_at": DateTimeLocal(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "committee": "专委会会议请选择所属专委会（可按专委会邀请委员）。",
            "checkin_before_minutes": "会议开始前多少分钟开放扫码签到。",
            "checkin_after_minutes": "会议开始后多少分钟截止扫码签到。",
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["committee"].queryset = SpecialCommittee.objects.filter(organisation=organisation)
        self.fields["committee"].empty_label = "（不限）"

    def clean(self):
        data = super().clean()
        s, e = data.get("starts_at"), data.get("ends_at")
        if s and e and e < s:
            self.add_error("ends_at", "结束时间不能早于开始时间。")
        return data


class InviteForm(BootstrapFormMixin, forms.Form):
    everyone = forms.BooleanField(label="全体委员", required=False)
    standing = forms.BooleanField(label="全体常委", required=False)
    sectors = forms.ModelMultipleChoiceField(
        label="按界别",
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    committees = forms.ModelMultipleChoiceField(
        label="按专委会",
        queryset=SpecialCommittee.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    groups = forms.ModelMultipleChoiceField(
        label="按委员小组",
        queryset=MemberGroup.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    liaison_groups = forms.ModelMultipleChoiceField(
        label="按乡镇联络组",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    members = forms.ModelMultipleChoiceField(
        label="逐个选择委员",
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.filter(organisation=organisation)
        self.fields["committees"].queryset = SpecialCommittee.objects.filter(organisation=organisation)
        self.fields["groups"].queryset = MemberGroup.objects.filter(organisation=organisation)
        self.fields["liaison_groups"].queryset = (
            Organisation.objects.filter(kind=Organisation.Kind.LIAISON, path__startswith=organisation.path)
            if organisation
            else Organisation.objects.none()
        )
        self.fields["members"].queryset = Member.objects.filter(
            organisation=organisation, status=Member.Status.ACTIVE
        )
        self.fields["members"].widget.attrs.pop("class", None)


class LeaveForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="请假事由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(BootstrapFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label="审批", choices=[("1", "同意"), ("0", "不同意")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label="意见", max_length=300, required=False)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class MaterialForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="会议材料（PDF、Word、图片）",
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control form-control-sm flex-grow-1",
                "accept": ".pdf,.docx,.png,.jpg,.jpeg",
            }
        ),
    )
