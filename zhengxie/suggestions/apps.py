from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhengxie.suggestions"
    label = "suggestions"
    verbose_name = "微建议"

    def ready(self):
        from zhengxie.core import datacache

        # The 微建议 kind on the handling spine (the item follows its case by the kind's on_step), the
        # public.* settings and the studios' 群众留言 columns.
        from . import handling_kind, services, studio_columns  # noqa: F401

        # The staff lists' counts (queue page, API) are kept (core.datacache) between writes to these
        # tables: the office's count read every visible row of its subtree on each request (issue 16).
        datacache.watch("suggestions", "suggestions_", "core_organisation")
