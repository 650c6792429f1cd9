from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/visits/", views.visit, name="visit"),
    path("<int:pk>/findings/", views.finding, name="finding"),
    path("<int:pk>/report/", views.report_upload, name="report_upload"),
    path("<int:pk>/report/generate/", views.report_generate, name="report_generate"),
    path("<int:pk>/recommendations/", views.recommendation, name="recommendation"),
    path("recommendations/<int:pk>/route/", views.route, name="route"),
]
