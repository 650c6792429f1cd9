from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "zhengxie.studios"
    label = "studios"
    verbose_name = "委员工作室"
