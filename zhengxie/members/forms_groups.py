"""Forms of 界别召集人, 委员小组 and 履职承诺 (issue 15): input shape only; rules live in services_groups."""

from django import forms

from zhengxie.core.pickers import PickerField, PickerMultipleField

from .forms import ChineseErrorsMixin
from .models import SpecialCommittee
from .services_groups import PLEDGE_MAX_CHARS, TARGET_MAX


# The members are core.pickers (issue #13): a committee of a 政协云 has hundreds of members, offered in the
# page while they are few and asked for by name beyond that (/pick/members/, only those the user may group).
class ConvenersForm(ChineseErrorsMixin, forms.Form):
    members = PickerMultipleField(
        "members", label="召集人", required=False, help_text="可选多人；留空即不设召集人。"
    )

    def __init__(self, *args, sector=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].for_user(user, sector=sector)
        self.fields["members"].widget.attrs["data-placeholder"] = "输入姓名搜索本界别委员"


class GroupForm(ChineseErrorsMixin, forms.Form):
    name = forms.CharField(
        label="小组名称", max_length=60, widget=forms.TextInput(attrs={"data-no-count": ""})
    )
    committee = forms.ModelChoiceField(
        label="所属专委会",
        queryset=SpecialCommittee.objects.none(),
        required=False,
        empty_label="（全会范围，不属于某个专委会）",
        help_text="专委会内的小组，成员须为该专委会委员。",
    )
    leader = PickerField("members", label="组长", empty_label="请选择组长")
    members = PickerMultipleField("members", label="成员", required=False, help_text="组长自动计为成员。")

    def __init__(self, *args, organisation=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = SpecialCommittee.objects.filter(organisation=organisation)
        self.fields["leader"].for_user(user, org=organisation)
        self.fields["members"].for_user(user, org=organisation)
        self.fields["members"].widget.attrs["data-placeholder"] = "输入姓名搜索委员，可多选"


class PledgeForm(ChineseErrorsMixin, forms.Form):
    text = forms.CharField(
        label="承诺内容",
        max_length=PLEDGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "如：围绕乡村振兴开展调研，提交高质量提案……"}),
    )
    target_proposals = forms.IntegerField(
        label="提交提案（件）", required=False, min_value=0, max_value=TARGET_MAX
    )
    target_activities = forms.IntegerField(
        label="参加会议活动（次）", required=False, min_value=0, max_value=TARGET_MAX
    )
    target_opinions = forms.IntegerField(
        label="报送社情民意（条）", required=False, min_value=0, max_value=TARGET_MAX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target_proposals", "target_activities", "target_opinions"):
            f = self.fields[name]
            f.help_text = "可不填；填写后将与本年度履职记录对照。"
            f.widget.attrs["inputmode"] = "numeric"
            f.error_messages["min_value"] = "不能小于 0。"
            f.error_messages["max_value"] = f"不能大于 {TARGET_MAX}。"
        self.fields["text"].error_messages["max_length"] = f"承诺内容不能超过 {PLEDGE_MAX_CHARS} 字。"
