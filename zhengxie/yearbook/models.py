from django.db import models

from zhengxie.core.models import Organisation


class Snapshot(models.Model):
    """A committee's figures of one year as last computed (services.compute): the county page, the city's
    table of counties and the exports read these rows instead of recounting every module on each request.
    Kept fresh by the hourly job and by the page's 刷新 button; the page says when it was computed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    parts = models.JSONField("各项数据", default=list)
    computed_at = models.DateTimeField("统计时间")
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)

    class Meta:
        verbose_name = "年度工作数据"
        verbose_name_plural = "年度工作数据"
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="yearbook_one_per_year")]
        indexes = [models.Index(fields=["year", "organisation"], name="yearbook_year_org_idx")]
