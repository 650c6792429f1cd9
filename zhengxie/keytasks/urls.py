from django.urls import path

from . import views

app_name = "keytasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("bulletin.docx", views.bulletin, name="bulletin"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/report/", views.report, name="report"),
]
