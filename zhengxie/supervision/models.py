"""委派民主监督: the year's units chosen by the standing members' vote (票决: `Selection`, `Candidate`,
`Ballot`), one supervision group per chosen unit (`Supervision`, its members in `Supervision.members`
besides the leader), the group's three lists (`Item`: 问题清单, 建议清单, 整改清单 — a rectification item is a
case of the handling spine, kind `supervision_rectification`, and follows it) and the group's rating of the
unit per aspect (`Rating`, the four-grade core.verdicts scale)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.models import HandlingUnit, Organisation
from zhengxie.core.verdicts import Verdict
from zhengxie.members.models import Member


class Selection(models.Model):
    """票决: the 办公室 puts candidate units to the standing members, who choose up to `choose` of them."""

    class Status(models.TextChoices):
        OPEN = "open", "投票中"
        TIE = "tie", "平票待定"
        CLOSED = "closed", "已结束"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    choose = models.PositiveSmallIntegerField("拟选单位数")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    # The paper result entered by staff: how many took part on paper (votes per candidate on Candidate).
    paper_voters = models.PositiveIntegerField("纸质投票人数", default=0)
    # Fixed when the vote closes.
    standing = models.PositiveIntegerField("常委人数", null=True, blank=True)
    voters = models.PositiveIntegerField("参加人数", null=True, blank=True)
    quorum_percent = models.PositiveSmallIntegerField("有效比例", null=True, blank=True)
    valid = models.BooleanField("有效", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "民主监督票决"
        verbose_name_plural = "民主监督票决"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "year"], name="supvote_org_idx")]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    reason = models.TextField("推荐理由")
    order = models.PositiveSmallIntegerField("排序", default=0)
    paper_votes = models.PositiveIntegerField("纸质票数", default=0)
    # Set when the vote closes: the total (platform + paper), whether chosen, whether tied at the cut.
    votes = models.PositiveIntegerField("得票", default=0)
    chosen = models.BooleanField("当选", default=False)
    tied = models.BooleanField("平票待定", default=False)

    class Meta:
        verbose_name = "票决候选单位"
        verbose_name_plural = "票决候选单位"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["selection", "unit"], name="supvote_unit_unique")]

    def __str__(self) -> str:
        return self.unit.name


class Ballot(models.Model):
    """One standing member's ballot (once per selection): up to `choose` candidates."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    candidates = models.ManyToManyField(Candidate, related_name="ballots")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "票决选票"
        verbose_name_plural = "票决选票"
        constraints = [models.UniqueConstraint(fields=["selection", "member"], name="supvote_once")]


class Supervision(models.Model):
    """A 民主监督小组 on one unit for a year: active (lists, rating) → rated (评议结束) → closed (结束，记履职)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "监督中"
        RATED = "rated", "已评议"
        CLOSED = "closed", "已结束"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, related_name="+", verbose_name="监督单位"
    )
    title = models.CharField("名称", max_length=200)
    leader = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name="组长")
    members = models.ManyToManyField(Member, related_name="supervisions", blank=True, verbose_name="成员")
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="联络员",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    selection = models.ForeignKey(
        Selection, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "民主监督小组"
        verbose_name_plural = "民主监督小组"
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="supervision_dates")
        ]
        indexes = [models.Index(fields=["year", "organisation", "id"], name="supervision_year_idx")]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """One entry of a group's 问题清单 / 建议清单 / 整改清单. A rectification item is routed to the unit
    (its `case`) and its status follows the case: routed → replied → rectified, or rehandling."""

    class List(models.TextChoices):
        PROBLEM = "problem", "问题清单"
        SUGGESTION = "suggestion", "建议清单"
        RECTIFICATION = "rectification", "整改清单"

    class Status(models.TextChoices):
        RECORDED = "recorded", "已记录"
        ROUTED = "routed", "整改中"
        REPLIED = "replied", "待确认"
        REHANDLING = "rehandling", "退回重新整改"
        RECTIFIED = "rectified", "已整改"

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="items")
    list = models.CharField("清单", max_length=14, choices=List.choices)
    number = models.PositiveIntegerField("序号")
    content = models.TextField("内容")
    deadline = models.DateField("整改期限", null=True, blank=True)
    # A 整改 item may name the 问题清单 item it rectifies (same group): the unit reads both on its case page.
    problem = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name="对应问题",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECORDED)
    # The case's light (红黄绿灯), written by the spine (handling.lights, Kind.item_model).
    light = models.CharField("亮灯", max_length=6, blank=True)
    case = models.OneToOneField(
        "handling.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "民主监督清单事项"
        verbose_name_plural = "民主监督清单事项"
        ordering = ["supervision", "list", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["supervision", "list", "number"], name="supitem_number_unique")
        ]
        indexes = [models.Index(fields=["status", "supervision"], name="supitem_status_idx")]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def organisation(self):
        return self.supervision.organisation


class Rating(models.Model):
    """A group member's rating of the unit on one aspect (re-rating replaces it while the group is active)."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="ratings")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    aspect = models.CharField("评议方面", max_length=40)
    rating = models.CharField("评价", max_length=20, choices=Verdict.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "民主监督评议"
        verbose_name_plural = "民主监督评议"
        constraints = [
            models.UniqueConstraint(fields=["supervision", "member", "aspect"], name="suprating_once")
        ]
