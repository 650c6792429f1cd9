from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "zhengxie.appraisal"
    label = "appraisal"
    verbose_name = "民主评议"
