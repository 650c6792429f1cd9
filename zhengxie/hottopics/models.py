"""热点 (hot topics): a run clusters one organisation's texts of a period (proposals, 社情民意, 微建议, hall
comments); each cluster kept is a HotTopic with its items. Runs are computed in the background (tasks.py)
and stored, so the pages only read."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.models import Organisation

# How alike two groups' texts must be (mean cosine, 0.05-0.9) to be one matter: lower joins more, higher
# keeps matters narrower (docs/hottopics.md shows the trade-off on real messages).
orgsettings.register("hottopics.threshold", 0.2, "热点分析：归为同一事项的相似度阈值（0.05～0.9）")


class Run(models.Model):
    """One computation for (organisation, period): status and progress for the page to poll."""

    class Period(models.TextChoices):
        LAST_90 = "90d", "近90天"
        YEAR = "year", "本年度"
        CUSTOM = "custom", "自定义时段"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.CharField("时段", max_length=8, choices=Period.choices, default=Period.LAST_90)
    date_from = models.DateField("开始日期")
    date_to = models.DateField("截止日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    items = models.PositiveIntegerField("文本数", default=0)
    counts = models.JSONField("各类文本数", default=dict, blank=True)
    clusters = models.PositiveIntegerField("热点数", default=0)
    seconds = models.FloatField("用时（秒）", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The worker's last sign of life: hottopics.fail_stale_runs fails a run silent for EXPORT_STALE_MINUTES.
    updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "热点计算"
        verbose_name_plural = "热点计算"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "period", "date_from", "date_to", "status", "-finished_at"],
                name="hottopics_run_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_period_display()} {self.date_from}～{self.date_to}"


class HotTopic(models.Model):
    """A cluster of texts on one matter, as the run found it."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="topics")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField("排名")
    label = models.CharField("热点", max_length=60)
    title = models.CharField("代表性标题", max_length=200)
    keywords = models.JSONField("关键词", default=list)
    size = models.PositiveIntegerField("件数")
    counts = models.JSONField("各类件数", default=dict)
    trend = models.JSONField("走势", default=list)  # [{"label": "11月第2周", "n": 3}, ...]
    previous = models.PositiveIntegerField("上一时段件数", default=0)
    support = models.PositiveIntegerField("附议与回复", default=0)
    heat = models.FloatField("热度")
    first_at = models.DateTimeField("最早", null=True)
    last_at = models.DateTimeField("最近", null=True)
    topic = models.ForeignKey(
        "consultation.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "热点"
        verbose_name_plural = "热点"
        ordering = ["run", "rank"]
        indexes = [models.Index(fields=["run", "rank"], name="hottopics_topic_rank_idx")]

    def __str__(self):
        return self.label

    @property
    def change(self) -> int:
        return self.size - self.previous


class HotTopicItem(models.Model):
    """A text behind a hot topic (the most central first); shown only to who may see the item."""

    hot_topic = models.ForeignKey(HotTopic, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("类型", max_length=20)
    object_id = models.PositiveBigIntegerField("编号")
    title = models.CharField("标题", max_length=200)
    date = models.DateTimeField("时间")
    centrality = models.FloatField("贴近度")
    support = models.PositiveIntegerField("附议与回复", default=0)

    class Meta:
        verbose_name = "热点事项"
        verbose_name_plural = "热点事项"
        ordering = ["hot_topic", "-centrality", "id"]
        indexes = [models.Index(fields=["hot_topic", "-centrality"], name="hottopics_item_idx")]
