"""Forms of the 视察调研 pages; the rules are the services' (their messages go next to the fields)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import Role, User
from zhengxie.core.pickers import PickerMultipleField
from zhengxie.members.models import SpecialCommittee

from .models import ResearchTopic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "视察和调研"), *ResearchTopic.Kind.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *ResearchTopic.Status.choices]
    )
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "课题名称"}),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]


class TopicForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ResearchTopic.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="课题名称", max_length=200)
    background = forms.CharField(label="背景与目的", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    leader = forms.ModelChoiceField(label="带队领导", queryset=User.objects.none())
    committee = forms.ModelChoiceField(
        label="牵头部门", queryset=SpecialCommittee.objects.none(), required=False, empty_label="办公室"
    )
    # core.pickers (issue #13): the organisation's members are in the page while few, searched beyond that.
    members = PickerMultipleField(
        "research-members", label="参加委员", help_text="输入姓名查找，可选择多位委员。"
    )
    writers = PickerMultipleField("research-members", label="执笔人（可后定）", required=False)
    starts_on = forms.DateField(label="开始日期", required=False, widget=DATE)
    ends_on = forms.DateField(label="结束日期", required=False, widget=DATE)
    sites = forms.CharField(
        label="视察调研地点",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "每行一个地点"}),
    )
    chair_collective = forms.BooleanField(label="主席集体视察/调研", required=False)

    def __init__(self, *args, user, topic=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = topic.organisation if topic is not None else user.organisation
        users = User.objects.filter(organisation=organisation, is_active=True).order_by("name")
        self.fields["leader"].queryset = users.filter(groups__name=Role.LEADER).distinct()
        self.fields["committee"].queryset = SpecialCommittee.objects.filter(organisation=organisation)
        for name in ("members", "writers"):
            self.fields[name].for_user(user, **({"topic": topic} if topic is not None else {}))
            self.fields[name].widget.attrs["data-placeholder"] = "输入姓名搜索委员，可多选"
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def topic_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "background": d["background"],
            "leader": d["leader"],
            "committee": d["committee"],
            "member_ids": [m.pk for m in d["members"]],
            "writer_ids": [m.pk for m in d["writers"]],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "sites": d["sites"],
            "chair_collective": d["chair_collective"],
        }


class VisitForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "visit_%s")
        super().__init__(*args, **kwargs)

    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    site = forms.CharField(label="地点", max_length=200, required=False)


class FindingForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(
        label="发现的问题与情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label="现场照片（JPG、PNG；上传时去除位置等信息）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg", "capture": "environment"}),
    )


class _WritersMixin:
    def _writers(self, topic):
        members = list(topic.members.all()) if topic is not None else []
        self.fields["writers"].choices = [(m.pk, m.name) for m in members]
        if topic is not None and not self.is_bound:
            self.initial["writers"] = [m.pk for m in topic.writers.all()]


class ReportUploadForm(_WritersMixin, BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="报告文件（Word 或 PDF）")
    writers = forms.MultipleChoiceField(label="执笔人", required=False, widget=forms.CheckboxSelectMultiple)
    recommendations = forms.CharField(
        label="意见建议（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, topic=None, **kwargs):
        kwargs.setdefault("auto_id", "up_%s")
        super().__init__(*args, **kwargs)
        self._writers(topic)


class ReportGenerateForm(_WritersMixin, BootstrapFormMixin, forms.Form):
    recommendations = forms.CharField(
        label="意见建议（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    summary = forms.CharField(label="结语（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    writers = forms.MultipleChoiceField(label="执笔人", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, topic=None, **kwargs):
        kwargs.setdefault("auto_id", "gen_%s")
        super().__init__(*args, **kwargs)
        self._writers(topic)


class RecommendationForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rec_%s")
        super().__init__(*args, **kwargs)

    content = forms.CharField(label="建议内容", widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(BootstrapFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="承办单位", coerce=int, empty_value=None)
    deadline = forms.DateField(label="办理期限（留空按默认）", required=False, widget=DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择承办单位")] + [(u.pk, u.name) for u in units]
