from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "zhengxie.activities"
    label = "activities"
