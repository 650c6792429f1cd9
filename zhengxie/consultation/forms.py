"""Forms of the consultation pages; the rules are the services' (their messages go next to the fields)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import HandlingUnit, Organisation, Role, User
from zhengxie.core.pickers import PickerField
from zhengxie.members.models import SpecialCommittee

from .models import Consultation, Segment, Topic

DT = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")


class ConsultationForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="协商题目", max_length=200)
    form = forms.ChoiceField(label="协商形式", choices=Consultation.Form.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    planned_month = forms.TypedChoiceField(
        label="计划月份",
        choices=[("", "—")] + [(m, f"{m}月") for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    held_on = forms.DateField(
        label="协商日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写有效的协商日期。"},
        help_text="已召开的协商填写召开日期（不能晚于今天）；“标记为已召开”时也可填写",
    )
    topic = forms.ModelChoiceField(label="议题", queryset=Topic.objects.none(), required=False)
    lead_committee = forms.ModelChoiceField(
        label="牵头专委会", queryset=SpecialCommittee.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label="牵头领导", queryset=User.objects.none(), required=False)
    # 有事好商量 held at a 委员工作室 (the studio's own name on the consultation's page).
    studio = forms.ModelChoiceField(
        label="委员工作室",
        queryset=None,
        required=False,
        help_text="在委员工作室开展的“有事好商量”请选择工作室",
    )
    departments = forms.ModelMultipleChoiceField(
        label="参加部门",
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    research_topics = forms.ModelMultipleChoiceField(
        label="会前调研课题",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="本会近两年的视察、调研课题",
    )
    research_note = forms.CharField(
        label="会前调研", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    background = forms.CharField(label="背景材料", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    opens_at = forms.DateTimeField(label="网络议政开始", widget=DT, required=False)
    closes_at = forms.DateTimeField(label="网络议政截止", widget=DT, required=False)
    public = forms.BooleanField(label="网络议政向群众开放（经审核后显示）", required=False)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        committee = organisation.committee
        if organisation.kind == Organisation.Kind.LIAISON:
            self.fields["form"].choices = [(Consultation.Form.GRASSROOTS, Consultation.Form.GRASSROOTS.label)]
        self.fields["topic"].queryset = Topic.objects.filter(
            organisation_id__in=[organisation.pk, committee.pk]
        ).exclude(status=Topic.Status.NOT_CHOSEN)
        self.fields["lead_committee"].queryset = SpecialCommittee.objects.filter(organisation=committee)
        self.fields["leader"].queryset = User.objects.filter(
            organisation_id__in=[organisation.pk, committee.pk], groups__name=Role.LEADER, is_active=True
        ).order_by("name")
        from zhengxie.studios.models import Studio

        current = getattr(self.initial.get("studio"), "pk", self.initial.get("studio"))
        self.fields["studio"].queryset = Studio.objects.filter(
            Q(active=True) | Q(pk=current), organisation_id__in=[organisation.pk, committee.pk]
        ).order_by("name")
        self.fields["departments"].queryset = HandlingUnit.objects.filter(organisation=committee).order_by(
            "name"
        )
        from zhengxie.research.models import ResearchTopic

        self.fields["research_topics"].queryset = ResearchTopic.objects.filter(
            organisation_id__in=[organisation.pk, committee.pk], year__gte=timezone.localdate().year - 1
        ).order_by("-year", "-id")
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        for name in ("departments", "research_topics"):
            # Django puts a widget's class on the list's wrapper too: plain boxes in includes/form.html's frame.
            self.fields[name].widget.attrs.pop("class", None)


class StepForm(forms.Form):
    """A step of the consultation page's 操作; 标记为已召开 carries the day it was held (default today)."""

    action = forms.ChoiceField(
        choices=[("open", "开始"), ("hold", "已召开"), ("close", "办结"), ("reopen", "重新开放")]
    )
    held_on = forms.DateField(
        label="协商日期",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
        error_messages={"invalid": "请填写有效的协商日期。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["held_on"].widget.attrs["max"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("held_on", today)


class MeetingForm(BootstrapFormMixin, forms.Form):
    starts_at = forms.DateTimeField(label="开始时间", widget=DT)
    ends_at = forms.DateTimeField(label="结束时间", widget=DT)
    place = forms.CharField(label="地点", max_length=200, required=False)
    invite = forms.ChoiceField(
        label="邀请",
        choices=[("standing", "全体常委"), ("everyone", "全体委员"), ("none", "稍后在会议页面邀请")],
        initial="standing",
    )


class SegmentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="环节", choices=Segment.Kind.choices)
    # core.pickers (issue #13): the committee's members are in the page while few, searched beyond that.
    member = PickerField(
        "consultation-speakers", label="发言委员", required=False, empty_label="请选择发言委员"
    )
    speaker_label = forms.CharField(label="发言人（非委员，如部门负责人）", max_length=100, required=False)
    title = forms.CharField(label="题目", max_length=200, required=False)
    content = forms.CharField(label="内容摘要", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    written = forms.BooleanField(label="书面发言", required=False)
    upload = forms.FileField(label="发言稿（PDF/Word/图片）", required=False)

    def __init__(self, *args, consultation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user, consultation=consultation)


class MinutesForm(BootstrapFormMixin, forms.Form):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 8}), required=False)


class MaterialForm(BootstrapFormMixin, forms.Form):
    upload = forms.FileField(label="材料（PDF/Word/图片）")
