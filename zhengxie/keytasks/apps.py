from django.apps import AppConfig


class KeytasksConfig(AppConfig):
    name = "zhengxie.keytasks"
    label = "keytasks"
    verbose_name = "重点工作"

    def ready(self):
        # The keytasks.* settings and the view rule that serves evidence files.
        from . import rules, services  # noqa: F401
