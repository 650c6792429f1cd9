from django.urls import path

from . import views

app_name = "hottopics"
urlpatterns = [
    path("", views.board, name="board"),
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:pk>/", views.run_progress, name="run"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/topic/", views.to_topic, name="to_topic"),
]
