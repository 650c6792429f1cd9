from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhengxie.supervision"
    label = "supervision"
    verbose_name = "民主监督"

    def ready(self):
        # The rectification items' kind on the handling spine, the supervision.* settings and the view
        # rules that serve evidence files.
        from . import handling_kind, rules, services  # noqa: F401
