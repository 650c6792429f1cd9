from django.apps import AppConfig


class HotTopicsConfig(AppConfig):
    name = "zhengxie.hottopics"
    label = "hottopics"
    verbose_name = "热点分析"
