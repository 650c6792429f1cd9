"""委员工作室 (members' studios): a place where members meet the public, with its own QR code. Public
微建议 may be addressed to a studio; the studio's members answer them (the member on 线上值班 that day
first). The rota, the 为民服务超市 services and their bookings build on this model."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.members.models import Member


class Studio(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=200, blank=True)
    contact_rules = models.TextField("联系方式与接待规则", blank=True)
    members = models.ManyToManyField(Member, related_name="studios", blank=True, verbose_name="入驻委员")
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "委员工作室"
        verbose_name_plural = "委员工作室"
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="studio_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
