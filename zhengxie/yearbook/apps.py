from django.apps import AppConfig


class YearbookConfig(AppConfig):
    name = "zhengxie.yearbook"
    label = "yearbook"
    verbose_name = "年度工作数据"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's yearbook.py registers the figures of its part of the work report (registry.py).
        autodiscover_modules("yearbook")
        from . import services  # noqa: F401  (the yearbook.* settings)
