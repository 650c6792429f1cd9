"""Forms of the 重点工作 pages; the rules are the services' (their messages go next to the fields)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import Role, User
from zhengxie.members.models import SpecialCommittee

from .models import Light

MILESTONE_ROWS = 8  # empty rows offered for the time table (a fixed number: no script needed)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    category = forms.TypedChoiceField(label="类别", coerce=int, empty_value=None, required=False)
    light = forms.ChoiceField(label="亮灯", required=False, choices=[("", "全部亮灯"), *Light.choices])
    owner = forms.TypedChoiceField(label="责任人", coerce=int, empty_value=None, required=False)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), ("in_progress", "推进中"), ("done", "已完成")],
    )
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "任务、责任部门"}),
    )

    def __init__(self, *args, years=(), categories=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        self.fields["category"].choices = [("", "全部类别")] + [(c.pk, c.name) for c in categories]
        self.fields["owner"].choices = [("", "全部责任人")] + [
            (o["owner_id"], o["owner__name"]) for o in owners
        ]


class KeyTaskForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    category = forms.CharField(
        label="类别",
        max_length=60,
        widget=forms.TextInput(attrs={"list": "keytask-categories", "placeholder": "如：协商议政"}),
        help_text="可选已有类别，或输入新的类别名称。",
    )
    title = forms.CharField(label="任务名称", max_length=200)
    description = forms.CharField(
        label="目标与要求（路线图）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none())
    owner_unit = forms.CharField(
        label="责任部门",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"list": "keytask-units", "placeholder": "留空则按责任人所在科室"}),
    )
    leader = forms.ModelChoiceField(label="分管领导", queryset=User.objects.none(), required=False)
    starts_on = forms.DateField(
        label="开始日期", required=False, widget=DATE, help_text="留空则为当年1月1日。"
    )
    due_on = forms.DateField(label="完成时限", widget=DATE)

    def __init__(self, *args, organisation=None, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(organisation=organisation, is_active=True).order_by("name")
        self.fields["owner"].queryset = users.filter(groups__name=Role.STAFF).distinct()
        self.fields["leader"].queryset = users.filter(groups__name=Role.LEADER).distinct()
        self.unit_names = ["办公室"] + list(
            SpecialCommittee.objects.filter(organisation=organisation).values_list("name", flat=True)
        )
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year
        # The milestone rows: the existing ones, then empty rows up to MILESTONE_ROWS (at least two empty).
        existing = list(milestones)
        count = max(MILESTONE_ROWS, len(existing) + 2)
        self.milestone_rows = []
        for i in range(count):
            m = existing[i] if i < len(existing) else None
            if self.is_bound:
                values = {
                    "id": self.data.get(f"m_id_{i}", ""),
                    "title": self.data.get(f"m_title_{i}", ""),
                    "due_on": self.data.get(f"m_due_{i}", ""),
                }
            else:
                values = {
                    "id": m.pk if m else "",
                    "title": m.title if m else "",
                    "due_on": m.due_on.isoformat() if m else "",
                }
            values["index"] = i
            values["done_on"] = m.done_on if m else None
            self.milestone_rows.append(values)
        self.milestone_count = count

    def task_fields(self) -> dict:
        """The task's fields for services.create / update (year is create's alone)."""
        d = self.cleaned_data
        keys = ("category", "title", "description", "owner", "owner_unit", "leader", "starts_on", "due_on")
        return {**{k: d[k] for k in keys}, "milestones": self.milestones()}

    def milestones(self) -> list[dict]:
        out = []
        for i in range(int(self.data.get("m_count") or self.milestone_count)):
            if i > 100:
                break
            title = (self.data.get(f"m_title_{i}") or "").strip()
            due = (self.data.get(f"m_due_{i}") or "").strip()
            if not title and not due:
                continue
            out.append({"id": self.data.get(f"m_id_{i}") or None, "title": title, "due_on": due})
        return out


class ReportForm(BootstrapFormMixin, forms.Form):
    percent = forms.IntegerField(
        label="当前进度（%）", widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1})
    )
    note = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="回退原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="进度低于上次报送时必填。",
    )
    milestones_done = forms.MultipleChoiceField(
        label="本次完成的节点", required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence = forms.FileField(label="佐证材料（PDF、Word 或图片）", required=False)

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        open_ms = [m for m in task.milestones.all() if m.done_on is None] if task else []
        self.fields["milestones_done"].choices = [(m.pk, f"{m.title}（{m.due_on:%m-%d}）") for m in open_ms]
        if not open_ms:
            del self.fields["milestones_done"]
        if task is not None and not self.is_bound:
            self.initial["percent"] = task.percent
