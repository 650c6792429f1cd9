from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "zhengxie.research"
    label = "research"
    verbose_name = "视察调研"

    def ready(self):
        # The recommendations' kind on the handling spine, the research.* settings and the view rule that
        # serves the topic's photos and report.
        from . import handling_kind, rules, services  # noqa: F401
