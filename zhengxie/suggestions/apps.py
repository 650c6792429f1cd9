from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhengxie.suggestions"
    label = "suggestions"
    verbose_name = "微建议"
