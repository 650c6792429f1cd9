from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "zhengxie.performance"
    label = "performance"
