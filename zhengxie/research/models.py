"""视察 and 调研 (inspections and research): a topic (课题) of an organisation's year with its leader, the
responsible 专委会 (or the 办公室), its members and schedule; each site visit is an `activities` meeting
(kind inspection / research: notice, leave, check-in, attendance) linked here by `Visit`; members add
findings and photos; a report (uploaded or generated .docx) names its writers (执笔人); the report's
numbered recommendations go on to a unit (a case of the handling spine, kind `research_recommendation`),
or become a member's draft 社情民意信息 or draft proposal.

    planned (计划中) → in_progress (进行中) → reported (已形成报告, by submitting the report) → closed (已办结)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengxie.core.models import Attachment, HandlingUnit, Organisation


class ResearchTopic(models.Model):
    class Kind(models.TextChoices):
        RESEARCH = "research", "调研"
        INSPECTION = "inspection", "视察"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        IN_PROGRESS = "in_progress", "进行中"
        REPORTED = "reported", "已形成报告"
        CLOSED = "closed", "已办结"

    class ReportSource(models.TextChoices):
        NONE = "", "—"
        UPLOADED = "uploaded", "上传"
        GENERATED = "generated", "系统生成"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.RESEARCH)
    title = models.CharField("课题", max_length=200)
    background = models.TextField("背景与目的", blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="带队领导"
    )
    committee = models.ForeignKey(
        "members.SpecialCommittee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="牵头专委会",
    )
    members = models.ManyToManyField(
        "members.Member", related_name="research_topics", verbose_name="参加委员"
    )
    writers = models.ManyToManyField(
        "members.Member", related_name="research_reports", blank=True, verbose_name="执笔人"
    )
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    sites = models.JSONField("视察调研地点", default=list, blank=True)
    chair_collective = models.BooleanField("主席集体视察调研", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    report = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报告"
    )
    report_source = models.CharField(
        "报告来源", max_length=10, choices=ReportSource.choices, blank=True, default=""
    )
    report_summary = models.TextField("报告摘要", blank=True)
    reported_at = models.DateTimeField("报告提交时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "视察调研课题"
        verbose_name_plural = "视察调研课题"
        ordering = ["-year", "-id"]
        indexes = [
            models.Index(fields=["organisation", "year", "kind", "status"], name="research_year_idx"),
            models.Index(fields=["year", "id"], name="research_list_idx"),
            models.Index(fields=["status", "ends_on"], name="research_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="research_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit_label(self) -> str:
        return self.committee.name if self.committee_id else "办公室"

    @property
    def has_report(self) -> bool:
        return self.report_id is not None

    def overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.ends_on is not None
            and self.ends_on < today
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
        )


class Visit(models.Model):
    """A site visit: the activities meeting (notice, leave, check-in, attendance) of a topic."""

    topic = models.ForeignKey(ResearchTopic, on_delete=models.CASCADE, related_name="visits")
    meeting = models.OneToOneField(
        "activities.Meeting", on_delete=models.PROTECT, related_name="research_visit", verbose_name="会议活动"
    )
    site = models.CharField("地点", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "视察调研活动"
        verbose_name_plural = "视察调研活动"
        ordering = ["id"]


class Finding(models.Model):
    """What a participant found (text) with an optional photo (stored without its EXIF)."""

    topic = models.ForeignKey(ResearchTopic, on_delete=models.CASCADE, related_name="findings")
    content = models.TextField("发现的问题与情况", blank=True)
    photo = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="照片"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "视察调研发现"
        verbose_name_plural = "视察调研发现"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["topic", "at"], name="research_finding_idx")]


class Recommendation(models.Model):
    """A numbered recommendation of the report, and where it went."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待转送"
        ROUTED = "routed", "已交办"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"
        OPINION = "opinion", "已转社情民意"
        PROPOSAL = "proposal", "已转提案"

    topic = models.ForeignKey(ResearchTopic, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveIntegerField("序号")
    content = models.TextField("建议内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    unit = models.ForeignKey(
        HandlingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承办单位",
    )
    case = models.OneToOneField(
        "handling.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opinion = models.ForeignKey(
        "opinions.Opinion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routed_at = models.DateTimeField("转送时间", null=True, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "视察调研建议"
        verbose_name_plural = "视察调研建议"
        ordering = ["topic_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="research_recommendation_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}条建议"

    @property
    def is_sent(self) -> bool:
        return self.status != self.Status.DRAFT
