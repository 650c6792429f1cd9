from django.urls import path

from . import views

app_name = "drafting"

urlpatterns = [
    path("panel/", views.panel, name="panel"),
]
