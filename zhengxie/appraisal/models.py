"""民主评议 (democratic appraisal): many members rating many places or units in a round.

A `Round` of an organisation (draft → open → closed → published) has a scoring form (`Item`s: name,
weight summing to 100 for places, guidance), the places or units rated (`Target`s), the invited members
(`Rater`s) and a window (opens_at → closes_at). A member's `Rating` of a target holds one `Score` per item
(0-100 for places; for units a four-grade `Verdict` per aspect), a note, photos (`RatingPhoto`: stored
without EXIF) and where and when the phone was (staff only). The target keeps its figures (ratings,
weighted average, photos, the verdict counts) up to date with each rating, so rankings read one table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.models import Attachment, HandlingUnit, Organisation
from zhengxie.core.verdicts import Verdict
from zhengxie.members.models import Member


class Round(models.Model):
    class Kind(models.TextChoices):
        PLACES = "places", "公共场所/设施"
        UNITS = "units", "部门/单位"

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        OPEN = "open", "评议中"
        CLOSED = "closed", "已结束"
        PUBLISHED = "published", "已公布"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("评议名称", max_length=200)
    kind = models.CharField("评议对象", max_length=8, choices=Kind.choices, default=Kind.PLACES)
    description = models.TextField("评议说明", blank=True)
    photo_required = models.BooleanField("须上传现场照片", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    target_count = models.PositiveIntegerField("评议对象数", default=0)
    rater_count = models.PositiveIntegerField("参评委员数", default=0)
    rating_count = models.PositiveIntegerField("评议次数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="appraisal_window"),
        ]
        indexes = [models.Index(fields=["organisation", "year", "id"], name="appraisal_round_year_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_units(self) -> bool:
        return self.kind == self.Kind.UNITS

    def window_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at


class Item(models.Model):
    """A line of the scoring form (places: a weighted score item; units: an aspect voted on)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("评分项目", max_length=60)
    weight = models.PositiveSmallIntegerField("权重", default=0)
    guidance = models.CharField("评分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评分项目"
        verbose_name_plural = "评分项目"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A place or unit rated, with its figures kept by each rating (and its rank once the round closes)."""

    class Mark(models.TextChoices):
        NONE = "", "—"
        TOP = "top", "满意"
        BOTTOM = "bottom", "重点监督"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField("序号", default=0)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="单位"
    )
    ratings = models.PositiveIntegerField("评议人数", default=0)
    score = models.DecimalField("加权平均分", max_digits=5, decimal_places=2, null=True, blank=True)
    photos = models.PositiveIntegerField("照片数", default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    rate = models.DecimalField("满意率", max_digits=4, decimal_places=1, null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    mark = models.CharField("评定", max_length=8, choices=Mark.choices, default="", blank=True)

    class Meta:
        verbose_name = "评议对象"
        verbose_name_plural = "评议对象"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="appraisal_target_unique")]
        indexes = [models.Index(fields=["round", "order", "id"], name="appraisal_target_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def counts(self) -> dict[str, int]:
        return {
            Verdict.SATISFIED: self.satisfied,
            Verdict.BASICALLY_SATISFIED: self.basically_satisfied,
            Verdict.UNSATISFIED: self.unsatisfied,
            Verdict.UNKNOWN: self.unknown,
        }


class Rater(models.Model):
    """An invited member; `rated` counts the targets they rated, `finished_at` when they said they are
    done (or rated every target)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="raters")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated = models.PositiveIntegerField("已评对象数", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "参评委员"
        verbose_name_plural = "参评委员"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="appraisal_rater_unique")]
        indexes = [models.Index(fields=["user", "finished_at"], name="appraisal_rater_todo_idx")]

    def __str__(self) -> str:
        return self.member.name


class Rating(models.Model):
    """One member's rating of one target (edited by them until the round closes). The place and time the
    phone recorded stay here: staff see them; the booklet and public results never show them."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ratings")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="rating_rows")
    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="ratings")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("加权得分", max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField("评议意见", blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy = models.PositiveIntegerField("定位精度(米)", null=True, blank=True)
    photo_count = models.PositiveSmallIntegerField("照片数", default=0)
    rated_at = models.DateTimeField("评议时间", default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "评议记录"
        verbose_name_plural = "评议记录"
        ordering = ["-rated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["target", "member"], name="appraisal_rating_unique")]
        indexes = [models.Index(fields=["round", "rater"], name="appraisal_rating_rater_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.target_id}"

    @property
    def organisation(self):
        return self.round.organisation


class Score(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    verdict = models.CharField("评价", max_length=20, choices=Verdict.choices, blank=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="appraisal_score_unique"),
            models.CheckConstraint(condition=Q(value__lte=100) | Q(value__isnull=True), name="appraisal_max"),
        ]


class RatingPhoto(models.Model):
    """A photo of a rating (an Attachment on the rating, re-encoded without EXIF)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="photo_rows")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="photo_rows")
    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "评议照片"
        verbose_name_plural = "评议照片"
        ordering = ["id"]
        indexes = [models.Index(fields=["target", "id"], name="appraisal_photo_target_idx")]
