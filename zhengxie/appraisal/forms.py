"""Forms of the 民主评议 pages; the rules are the services' (their messages go next to the fields)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.pickers import PickerMultipleField
from zhengxie.core.verdicts import Verdict
from zhengxie.members.models import Sector, SpecialCommittee

from .models import Round

ITEM_ROWS = 6  # rows offered for the scoring form (a fixed number: no script needed)
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="评议名称", max_length=200)
    kind = forms.ChoiceField(label="评议对象", choices=Round.Kind.choices)
    description = forms.CharField(label="评议说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens_at = forms.DateTimeField(
        label="开始时间", widget=MOMENT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    closes_at = forms.DateTimeField(
        label="截止时间", widget=MOMENT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    photo_required = forms.BooleanField(label="须上传现场照片（公共场所评议）", required=False)
    items_locked = False  # the edit page of an open round: the form is fixed

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year
        self.item_rows = []
        for i in range(ITEM_ROWS):
            self.item_rows.append(
                {
                    "index": i,
                    "name": (self.data if self.is_bound else self.initial).get(f"item_name_{i}", ""),
                    "weight": (self.data if self.is_bound else self.initial).get(f"item_weight_{i}", ""),
                    "guidance": (self.data if self.is_bound else self.initial).get(f"item_guidance_{i}", ""),
                }
            )

    def items(self) -> list[dict]:
        return [
            {"name": row["name"], "weight": row["weight"], "guidance": row["guidance"]}
            for row in self.item_rows
            if (row["name"] or "").strip() or str(row["weight"] or "").strip()
        ]


class TargetsForm(BootstrapFormMixin, forms.Form):
    lines = forms.CharField(
        label="粘贴评议对象（每行一个：名称，地址）",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "人民公园，城关镇滨河路1号\n滨江公园，城关镇江滨路"}
        ),
    )
    file = forms.FileField(label="或上传 Excel（第一列名称，第二列地址，第三列单位）", required=False)
    all_units = forms.BooleanField(label="添加本级全部承办单位", required=False)


class InviteForm(BootstrapFormMixin, forms.Form):
    all_members = forms.BooleanField(label="全体在任委员", required=False)
    sectors = forms.ModelMultipleChoiceField(label="按界别", queryset=Sector.objects.none(), required=False)
    committees = forms.ModelMultipleChoiceField(
        label="按专委会", queryset=SpecialCommittee.objects.none(), required=False
    )
    # core.pickers (issue #13): the committee's members are in the page while few, searched beyond that.
    members = PickerMultipleField("appraisal-invitees", label="指定委员", required=False)

    def __init__(self, *args, rnd, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = rnd.organisation
        self.fields["sectors"].queryset = Sector.objects.filter(organisation=organisation)
        self.fields["committees"].queryset = SpecialCommittee.objects.filter(organisation=organisation)
        self.fields["members"].for_user(user, round=rnd)
        self.fields["members"].widget.attrs["data-placeholder"] = "输入姓名搜索委员，可多选"
        for name in ("sectors", "committees"):
            self.fields[name].widget.attrs["size"] = 6


class RatingForm(forms.Form):
    """The phone's rating form: one field per item (a score 0-100, or a verdict), a note, photos and the
    place (hidden fields the page's script fills)."""

    note = forms.CharField(
        label="评议意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "latitude"}))
    longitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "longitude"}))
    accuracy = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "accuracy"}))

    def __init__(self, *args, round=None, items=(), rating=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round, self.items = round, list(items)
        before = {}
        if rating is not None and not self.is_bound:
            before = {s.item_id: (s.verdict or s.value) for s in rating.scores.all()}
            self.initial["note"] = rating.note
        self.rows = []
        for item in self.items:
            key = f"item_{item.pk}"
            value = self.data.get(key, "") if self.is_bound else before.get(item.pk, "")
            self.rows.append({"item": item, "key": key, "value": "" if value is None else str(value)})
        self.verdicts = Verdict.choices

    def scores(self) -> dict:
        return {row["item"].pk: (self.data.get(row["key"]) or None) for row in self.rows}
