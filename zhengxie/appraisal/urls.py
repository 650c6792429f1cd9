from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/targets/", views.add_targets, name="targets"),
    path("<int:pk>/raters/", views.invite, name="invite"),
    path("<int:pk>/open/", views.step, {"action": "open"}, name="open"),
    path("<int:pk>/close/", views.step, {"action": "close"}, name="close"),
    path("<int:pk>/publish/", views.step, {"action": "publish"}, name="publish"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/booklet/", views.booklet, name="booklet"),
    path("<int:pk>/targets/<int:target_id>/", views.target_detail, name="target"),
    path("<int:pk>/targets/<int:target_id>/rate/", views.rate, name="rate"),
]
