from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "zhengxie.routing"
    verbose_name = "智能分办"

    def ready(self):
        from . import receivers

        receivers.connect()
