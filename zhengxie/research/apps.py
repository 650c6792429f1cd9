from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "zhengxie.research"
    label = "research"
    verbose_name = "视察调研"
