from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "zhengxie.drafting"
    verbose_name = "撰写助手"
