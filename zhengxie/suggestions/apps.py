from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhengxie.suggestions"
    label = "suggestions"
    verbose_name = "微建议"

    def ready(self):
        # The 微建议 kind on the handling spine, the public.* settings, and the case-following receiver.
        from . import handling_kind, receivers, services  # noqa: F401

        receivers.connect()
