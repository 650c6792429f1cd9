"""Duty performance (委员履职量化管理, 一员一档): schemes, duty records, running totals, self-reports,
warnings and the yearly assessment.

Every scored act is one DutyRecord, written only by ``services.record_act``. The member's total for a
year is kept in MemberYearScore in the same transaction; it always equals what ``recompute`` derives
from the records (caps applied at computing time).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member, Sector

from . import acts as A
from . import workflow as W

orgsettings.register("performance.scheme_template", "default", "履职考核默认方案模板")
orgsettings.register("performance.background_recompute_members", 500, "超过多少名委员时后台重算积分")


class ScoringScheme(models.Model):
    """The rule table of one organisation for one year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("方案名称", max_length=100)
    template = models.CharField("来源模板", max_length=20, blank=True)
    base_points = models.DecimalField("基础分", max_digits=7, decimal_places=2, default=0)
    pass_mark = models.DecimalField("合格分", max_digits=7, decimal_places=2, default=60)
    # [[min, "优秀"], [70, "合格"], ...], highest first
    grades = models.JSONField("等次划分", default=list)
    # [{"code": "meetings", "label": "会议出勤", "cap": 50}, ...]
    categories = models.JSONField("类别及上限", default=list)
    # [{"code", "label", "kind": act_count|none_of|below_pass|three_ones, "acts", "min", "step", "enabled"}]
    warning_rules = models.JSONField("预警规则", default=list)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新人",
    )

    class Meta:
        verbose_name = "履职积分方案"
        verbose_name_plural = "履职积分方案"
        ordering = ["-year", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_scheme_org_year")
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    def as_data(self) -> dict:
        return {
            "name": self.name,
            "base_points": float(self.base_points),
            "pass_mark": float(self.pass_mark),
            "grades": self.grades,
            "categories": self.categories,
            "warning_rules": self.warning_rules,
            "rules": [
                {
                    "act": r.act,
                    "category": r.category,
                    "points": float(r.points),
                    "cap": None if r.cap is None else float(r.cap),
                    "unit": r.unit,
                }
                for r in self.rules.all()
            ],
        }


class ScoringRule(models.Model):
    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="rules", verbose_name="方案"
    )
    category = models.CharField("类别", max_length=30)
    act = models.CharField("履职事项", max_length=40, choices=A.CHOICES)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    unit = models.CharField("单位", max_length=10, default="次")
    cap = models.DecimalField("单项上限", max_digits=7, decimal_places=2, null=True, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "act"], name="unique_rule_act")]

    def __str__(self):
        return f"{A.label(self.act)} {self.points}"


class DutyRecord(models.Model):
    """One scored act of a member (履职记录). `points` is what it adds before caps (share applied).

    `points_fixed` marks points given by the caller; other records follow the scheme when it changes.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="duty_records", verbose_name="委员"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    act = models.CharField("履职事项", max_length=40, choices=A.CHOICES)
    category = models.CharField("类别", max_length=30)
    points = models.DecimalField("积分", max_digits=7, decimal_places=2)
    share = models.DecimalField("分享比例", max_digits=5, decimal_places=4, default=1)
    points_fixed = models.BooleanField("指定分值", default=False)
    source_ct = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源类型",
    )
    source_id = models.CharField("来源ID", max_length=40, blank=True)
    source_repr = models.CharField("来源", max_length=200, blank=True)
    occurred_on = models.DateField("日期")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    voided = models.BooleanField("已撤销", default=False)
    voided_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "履职记录"
        verbose_name_plural = "履职记录"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "act", "source_ct", "source_id"],
                condition=Q(voided=False) & Q(source_ct__isnull=False),
                name="unique_live_duty_record",
            ),
        ]
        indexes = [
            # the member's archive and the running total of one member
            models.Index(fields=["member", "year", "voided"], name="duty_member_year"),
            # recomputing a year: aggregates over (member, act, share), covered by the index. `points` is
            # left out on purpose: re-valuing records after a scheme change then touches no index.
            models.Index(
                fields=["organisation", "year", "voided", "points_fixed", "member", "act", "share"],
                name="duty_org_year_cover",
            ),
            # re-valuing an act when the scheme changes; counting acts per member for the warnings (covered)
            models.Index(
                fields=["organisation", "year", "act", "voided", "member"], name="duty_org_year_act"
            ),
            models.Index(fields=["source_ct", "source_id"], name="duty_source"),
        ]

    def __str__(self):
        return f"{self.member} {A.label(self.act)} {self.points}"

    @property
    def act_label(self):
        return A.label(self.act)

    def source_url(self) -> str:
        """A link to the source when its model offers get_absolute_url (cheap: no query when cached)."""
        obj = getattr(self, "_source_obj", None)
        if obj is not None and hasattr(obj, "get_absolute_url"):
            try:
                return obj.get_absolute_url()
            except Exception:  # noqa: BLE001 - a broken link must not break the archive
                return ""
        return ""


class MemberYearScore(models.Model):
    """The running total of a member for a year: written with every record_act/revoke_act."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="year_scores", verbose_name="委员"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    total = models.DecimalField("总分", max_digits=8, decimal_places=2, default=0)
    by_category = models.JSONField("分类得分", default=dict)
    grade = models.CharField("等次", max_length=20, blank=True)
    passed = models.BooleanField("达到合格线", default=False)
    record_count = models.PositiveIntegerField("记录数", default=0)
    # Denormalised for ranking without joins (kept up to date by recompute).
    sector = models.ForeignKey(Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    liaison_group = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度积分"
        verbose_name_plural = "年度积分"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="unique_member_year_score")]
        indexes = [
            models.Index(fields=["organisation", "year", "total"], name="score_org_year_total"),
            models.Index(fields=["year", "sector", "total"], name="score_sector_total"),
            models.Index(fields=["year", "liaison_group", "total"], name="score_liaison_total"),
        ]

    def __str__(self):
        return f"{self.member} {self.year} {self.total}"


class SelfReport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "未通过"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="self_reports", verbose_name="委员"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    act = models.CharField("履职事项", max_length=40, choices=A.SELF_REPORT_CHOICES)
    description = models.TextField("情况说明", max_length=2000)
    occurred_on = models.DateField("履职日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("未通过原因", max_length=500, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "履职自报"
        verbose_name_plural = "履职自报"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="selfreport_org_status")]

    def __str__(self):
        return f"{self.member} {A.label(self.act)} {self.occurred_on}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("performance:member", args=[self.member_id]) + f"?year={self.occurred_on.year}"

    @property
    def act_label(self):
        return A.label(self.act)


class WarningCase(models.Model):
    """动态退出: one member's warnings of one year as a case moving through recorded steps (workflow.py):
    预警 → 谈话提醒 → 劝辞 / 视为辞去 / 继续履职, or 撤销预警. Its history is its MemberWarning rows."""

    class TalkBy(models.TextChoices):
        CONVENER = "convener", "界别召集人或组长"
        STAFF = "staff", "机关工作人员"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="warning_cases", verbose_name="委员"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状态", max_length=10, choices=W.STATE_CHOICES, default=W.WARNED)
    # [{"code", "label", "step"}]: the rules the member triggered (kept as of each step)
    rules = models.JSONField("触发的预警规则", default=list)
    talk_by = models.CharField("谈话人身份", max_length=10, choices=TalkBy.choices, blank=True)
    talk_by_name = models.CharField("谈话人", max_length=40, blank=True)
    # whose hat the talker wore towards this member: 经济界别召集人, …第一委员小组组长, 机关工作人员 (as of the talk)
    talk_role = models.CharField("谈话人职务", max_length=120, blank=True)
    talk_convener = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="谈话的界别召集人",
    )
    talk_on = models.DateField("谈话日期", null=True, blank=True)
    talk_summary = models.TextField("谈话内容", max_length=1000, blank=True)
    member_response = models.TextField("委员表态", max_length=1000, blank=True)
    decision_rule = models.CharField("依据规则", max_length=40, blank=True)
    decision_rule_label = models.CharField("依据规则内容", max_length=200, blank=True)
    grounds = models.TextField("决定理由", max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    created_at = models.DateTimeField("立案时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "履职预警处理"
        verbose_name_plural = "履职预警处理"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="unique_warning_case_member_year")
        ]
        indexes = [models.Index(fields=["organisation", "year", "state"], name="warning_case_org_year")]

    def __str__(self):
        return f"{self.member} {self.year}年履职预警（{self.state_label}）"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("performance:warning_case", args=[self.member_id, self.year])

    @property
    def state_label(self) -> str:
        return W.state_label(self.state)

    @property
    def is_final(self) -> bool:
        return self.state in W.FINAL


class MemberWarning(models.Model):
    """A step taken on a warning: the history of a WarningCase (谈话提醒, 劝辞 ...). Rows recorded before
    the cases existed (谈话提醒 / 劝辞建议 alone) were attached to a case by migration 0011."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="duty_warnings", verbose_name="委员"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    rule = models.CharField("预警规则", max_length=40)
    rule_label = models.CharField("预警内容", max_length=200)
    step = models.CharField("处理措施", max_length=20)
    note = models.CharField("说明", max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="处理人"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)
    case = models.ForeignKey(
        WarningCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name="预警处理",
    )

    class Meta:
        verbose_name = "履职预警处理记录"
        verbose_name_plural = "履职预警处理记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "year"], name="warning_org_year")]

    def __str__(self):
        return f"{self.member} {self.rule_label} {self.step}"


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        CONFIRMED = "confirmed", "已确认"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheme_name = models.CharField("所用方案", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度履职考核"
        verbose_name_plural = "年度履职考核"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_assessment_year")
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}年度委员履职考核"

    @property
    def is_locked(self):
        return self.status == self.Status.CONFIRMED


class AssessmentEntry(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name="委员")
    score = models.DecimalField("得分", max_digits=8, decimal_places=2)
    proposed_grade = models.CharField("建议等次", max_length=20)
    final_grade = models.CharField("确定等次", max_length=20)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="调整人",
    )
    reason = models.CharField("调整理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["-score", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "member"], name="unique_assessment_member")
        ]

    def __str__(self):
        return f"{self.member} {self.final_grade}"


class Recomputation(models.Model):
    """A recompute of a year's scores (after a scheme change), with progress for the page to poll."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The worker's last sign of life (started, progress): performance.fail_stale_recomputations fails a
    # running recompute whose worker fell silent (killed) for EXPORT_STALE_MINUTES; it can be run again.
    updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
