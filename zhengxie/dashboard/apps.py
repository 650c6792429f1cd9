from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "zhengxie.dashboard"
    label = "dashboard"
