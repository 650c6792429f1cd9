from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhengxie.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from django.db import connections
        from django.utils.module_loading import autodiscover_modules

        from . import datacache, signals  # noqa: F401

        for conn in connections.all(initialized_only=True):  # later ones: connection_created
            datacache.install(conn)
        from .textguard import install

        install()  # every form's text fields refuse control characters

        # Each app's nav.py registers its menu entries and workbench to-do providers, its dashboard.py
        # the figures it shows on the leaders' dashboard (core/dashboard.py).
        autodiscover_modules("nav", "dashboard")
