from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "zhengxie.handling"
    label = "handling"
    verbose_name = "交办办理"

    def ready(self):
        # Items follow their cases through their kind's on_step hook.
        from . import receivers

        receivers.connect()
