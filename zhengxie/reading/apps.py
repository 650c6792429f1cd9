from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "zhengxie.reading"
    label = "reading"
    verbose_name = "书香政协"

    def ready(self):
        from . import services  # noqa: F401  (the reading.* settings)
