from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhengxie.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import signals  # noqa: F401
        from .textguard import install

        install()  # every form's text fields refuse control characters

        # Each app's nav.py registers its menu entries and workbench to-do providers, its dashboard.py
        # the figures it shows on the leaders' dashboard (core/dashboard.py).
        autodiscover_modules("nav", "dashboard")
