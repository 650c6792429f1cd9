from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhengxie.suggestions"
    label = "suggestions"
    verbose_name = "微建议"

    def ready(self):
        # The 微建议 kind on the handling spine (the item follows its case by the kind's on_step), the
        # public.* settings and the studios' 群众留言 columns.
        from . import handling_kind, services, studio_columns  # noqa: F401
