from django.urls import path

from . import case_views, views

app_name = "handling"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("board/remind/", views.remind, name="remind"),
    path("board/<int:case_id>/extend/", views.extend, name="extend"),
    path("units/", views.units, name="units"),
    path("cases/<int:case_id>/", case_views.case, name="case"),
    path("cases/<int:case_id>/<str:action>/", case_views.case_action, name="case_action"),
]
