"""Forms of the 民主监督 pages; the rules are the services' (their messages go next to the fields)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import HandlingUnit, Role, User
from zhengxie.core.pickers import PickerField, PickerMultipleField
from zhengxie.core.verdicts import Verdict

from .models import Item, Supervision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CANDIDATE_ROWS = 8  # empty rows offered for the candidates (a fixed number: no script needed)


def _units(organisation):
    return HandlingUnit.objects.filter(organisation=organisation, is_active=True).order_by("order", "id")


class FilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Supervision.Status.choices]
    )
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "小组、单位、组长"}),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]


class SupervisionForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    unit_id = forms.ModelChoiceField(label="被监督单位", queryset=HandlingUnit.objects.none())
    title = forms.CharField(
        label="小组名称", max_length=200, required=False, help_text="留空则为“某年度某单位民主监督小组”。"
    )
    # core.pickers (issue #13): the committee's members are in the page while few, searched beyond that.
    leader_member_id = PickerField("supervision-members", label="组长", empty_label="请选择组长")
    member_ids = PickerMultipleField(
        "supervision-members", label="成员", required=False, help_text="输入姓名查找，可选多人。"
    )
    staff_contact_id = forms.ModelChoiceField(label="联络员", queryset=User.objects.none(), required=False)
    starts_on = forms.DateField(label="开始日期", required=False, widget=DATE, help_text="留空则为今天。")
    ends_on = forms.DateField(
        label="结束日期", required=False, widget=DATE, help_text="留空则为当年12月31日。"
    )

    def __init__(self, *args, organisation=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].queryset = _units(organisation)
        self.fields["leader_member_id"].for_user(user)
        self.fields["member_ids"].for_user(user)
        self.fields["member_ids"].widget.attrs["data-placeholder"] = "输入姓名搜索委员，可多选"
        self.fields["staff_contact_id"].queryset = (
            User.objects.filter(organisation=organisation, is_active=True, groups__name=Role.STAFF)
            .distinct()
            .order_by("name")
        )
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year


class ItemForm(BootstrapFormMixin, forms.Form):
    list = forms.ChoiceField(label="清单", choices=Item.List.choices)
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label="整改期限", required=False, widget=DATE, help_text="仅整改清单；留空按默认办理期限。"
    )
    problem = forms.ChoiceField(
        label="对应问题",
        required=False,
        help_text="仅整改清单，可选：注明后承办单位在办理页面可看到该问题及其佐证材料。",
    )
    evidence = forms.FileField(label="佐证材料（图片、PDF 或 Word）", required=False)

    def __init__(self, *args, problems=(), **kwargs):
        super().__init__(*args, **kwargs)
        if problems:
            self.fields["problem"].choices = [("", "（不对应具体问题）")] + [
                (str(p.pk), f"第{p.number}项：{p.content[:30]}{'…' if len(p.content) > 30 else ''}")
                for p in problems
            ]
        else:
            del self.fields["problem"]


class EvidenceForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="佐证材料", widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"})
    )


class ConfirmForm(BootstrapFormMixin, forms.Form):
    accepted = forms.ChoiceField(
        label="整改情况",
        choices=[("yes", "确认已整改"), ("no", "退回重新整改")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="退回时必填。"
    )


class RatingForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, aspects=(), initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i, aspect in enumerate(aspects):
            self.fields[f"aspect_{i}"] = forms.ChoiceField(
                label=aspect, choices=Verdict.choices, widget=forms.RadioSelect, required=False
            )
            if initial_ratings and aspect in initial_ratings:
                self.initial[f"aspect_{i}"] = initial_ratings[aspect]
        self.aspects = list(aspects)

    def ratings(self) -> dict:
        return {
            a: self.cleaned_data[f"aspect_{i}"]
            for i, a in enumerate(self.aspects)
            if self.cleaned_data.get(f"aspect_{i}")
        }


class SelectionForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(
        label="名称", max_length=200, required=False, help_text="留空则为“某年度委派民主监督单位票决”。"
    )
    choose = forms.IntegerField(label="拟选单位数", min_value=1, max_value=30)

    def __init__(self, *args, organisation=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(_units(organisation))
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("choose", 2)
        self.rows = []
        for i in range(CANDIDATE_ROWS):
            self.rows.append(
                {
                    "index": i,
                    "unit": str(self.data.get(f"c_unit_{i}", "")) if self.is_bound else "",
                    "reason": self.data.get(f"c_reason_{i}", "") if self.is_bound else "",
                }
            )

    def candidates(self) -> list[dict]:
        return [
            {"unit_id": r["unit"], "reason": r["reason"]}
            for r in self.rows
            if r["unit"] or (r["reason"] or "").strip()
        ]


class BallotForm(forms.Form):
    unit_ids = forms.MultipleChoiceField(
        label="选择单位", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_ids"].choices = [(c.unit_id, c.unit.name) for c in candidates]
