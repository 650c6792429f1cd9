from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "zhengxie.consultation"
    label = "consultation"
    verbose_name = "协商议事"

    def ready(self):
        # The recommendations' kind on the handling spine and the consultation.* settings; a 协商会议's
        # page links back to its consultation (activities.origins).
        from zhengxie.activities import origins
        from zhengxie.activities.models import Meeting

        from . import handling_kind, settings  # noqa: F401
        from .selectors import meeting_origin

        origins.register(Meeting.Kind.CONSULTATION, meeting_origin)
