from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/items/", views.add_item, name="add_item"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/report.docx", views.report, name="report"),
    path("items/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("items/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("votes/", views.votes, name="votes"),
    path("votes/new/", views.vote_create, name="vote_create"),
    path("votes/<int:pk>/", views.vote, name="vote"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/paper/", views.paper, name="paper"),
    path("votes/<int:pk>/close/", views.vote_close, name="vote_close"),
    path("votes/<int:pk>/pick/", views.pick, name="pick"),
]
