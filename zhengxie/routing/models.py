"""Suggested category and handling units (智能分办): a model per organisation, trained from its own history,
and the choices staff made (采用 or overridden), which the next training reads first."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengxie.core.models import Organisation


class RoutingModel(models.Model):
    """The organisation's trained model (learn.Model as a compressed .npz). `version` grows with each
    training: every process compares it before using its cached copy, so a retrain reaches all servers."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="所属政协"
    )
    version = models.PositiveIntegerField("版本", default=0)
    blob = models.BinaryField("模型")
    trained_at = models.DateTimeField("训练时间", default=timezone.now)
    samples = models.PositiveIntegerField("训练样本数", default=0)
    meta = models.JSONField("训练概况", default=dict, blank=True)

    class Meta:
        verbose_name = "分办模型"
        verbose_name_plural = "分办模型"


class RoutingChoice(models.Model):
    """What staff finally chose for one item (类别, 承办单位), beside what was suggested then. Written when
    staff click 采用 and again when the item is filed or assigned (routing.receivers); training data."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=30)
    object_id = models.PositiveBigIntegerField("事项编号")
    text = models.TextField("文本")
    category = models.CharField("选定类别", max_length=20, blank=True)
    unit_ids = models.JSONField("选定承办单位", default=list, blank=True)
    suggested_category = models.CharField("建议类别", max_length=20, blank=True)
    suggested_unit_ids = models.JSONField("建议承办单位", default=list, blank=True)
    adopted = models.BooleanField("一键采用", default=False)
    overridden = models.BooleanField("改选", default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "分办选择"
        verbose_name_plural = "分办选择"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="routing_one_choice")]
        indexes = [models.Index(fields=["organisation", "kind"], name="routing_choice_org_idx")]
