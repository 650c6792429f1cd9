from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "zhengxie.consultation"
    label = "consultation"
    verbose_name = "协商议事"

    def ready(self):
        # The recommendations' kind on the handling spine and the consultation.* settings.
        from . import handling_kind, settings  # noqa: F401
