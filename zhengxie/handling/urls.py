from django.urls import path

from . import views

app_name = "handling"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("board/remind/", views.remind, name="remind"),
    path("board/<int:case_id>/extend/", views.extend, name="extend"),
    path("units/", views.units, name="units"),
]
