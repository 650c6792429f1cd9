"""重点工作 (key work tasks): the year's list of an organisation by category ("19类42项"), each task with
its responsible unit and owner (a staff user of the 办公室 or a 专委会), the leader in charge, a time
table (starts_on → due_on) and milestones; the owner reports progress (percent, note, evidence), and the
task's light compares the percent with the 序时进度 (the share of its time that has passed, see
`progress.py`). The light is kept on the row (each report and the daily job), so lists read one table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.models import Attachment, Organisation


class Light(models.TextChoices):
    GREEN = "green", "正常"
    YELLOW = "yellow", "滞后"
    RED = "red", "严重滞后"


class Category(models.Model):
    """A heading of the year's list (e.g. 协商议政, 民主监督): one per organisation, year and name."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("类别", max_length=60)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "重点工作类别"
        verbose_name_plural = "重点工作类别"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "name"], name="keytask_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class KeyTask(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"

    Light = Light

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tasks", verbose_name="类别"
    )
    number = models.PositiveIntegerField("序号")
    title = models.CharField("任务", max_length=200)
    description = models.TextField("目标与要求", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="责任人"
    )
    owner_unit = models.CharField("责任部门", max_length=60)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="分管领导",
    )
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成时限")
    percent = models.PositiveSmallIntegerField("完成进度", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    light = models.CharField("亮灯", max_length=6, choices=Light.choices, default=Light.GREEN)
    # The light the owner and the leader were last told about (once per change, never every day).
    notified_light = models.CharField(max_length=6, choices=Light.choices, default=Light.GREEN)
    light_checked_on = models.DateField(null=True, blank=True)
    last_reported_at = models.DateTimeField("最近报送", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "重点工作"
        verbose_name_plural = "重点工作"
        ordering = ["year", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "number"], name="keytask_number_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="keytask_percent_max"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="keytask_dates"),
        ]
        indexes = [
            # The year's list of an organisation (by number) is the unique constraint's index; the list
            # page's order (a year, by organisation, category and number) is this one's.
            models.Index(
                fields=["year", "organisation", "category", "number", "id"], name="keytask_year_idx"
            ),
            models.Index(fields=["organisation", "year", "light"], name="keytask_light_idx"),
            # The owner's and the leader's to-dos (tasks behind).
            models.Index(fields=["owner", "status", "light"], name="keytask_owner_idx"),
            models.Index(fields=["leader", "status", "light"], name="keytask_leader_idx"),
            # The daily job: the open tasks.
            models.Index(fields=["status", "id"], name="keytask_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def expected_percent(self) -> int:
        from .progress import expected_percent

        return expected_percent(self.starts_on, self.due_on, timezone.localdate())

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class Milestone(models.Model):
    """A dated step of the task's time table (时间表/路线图); done when the owner reports it done."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("节点时间")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "重点工作节点"
        verbose_name_plural = "重点工作节点"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today) -> bool:
        return self.done_on is None and self.due_on < today


class ProgressReport(models.Model):
    """One progress report of the owner (or the 办公室): the new percent, what was done, and why when the
    percent goes back; optional evidence (an Attachment on the task, served through the task's rule)."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="reports")
    percent = models.PositiveSmallIntegerField("进度")
    previous = models.PositiveSmallIntegerField("原进度")
    note = models.TextField("进展情况")
    reason = models.TextField("回退原因", blank=True)
    expected = models.PositiveSmallIntegerField("序时进度")
    light = models.CharField("亮灯", max_length=6, choices=Light.choices)
    evidence = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="佐证材料",
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "重点工作进度报送"
        verbose_name_plural = "重点工作进度报送"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["task", "at"], name="keytask_report_idx")]
