from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "zhengxie.search"
    label = "search"
