from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "zhengxie.handling"
    label = "handling"
    verbose_name = "交办办理"
