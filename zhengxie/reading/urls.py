from django.urls import path

from . import views

app_name = "reading"

urlpatterns = [
    path("", views.index, name="index"),
    path("books/add/", views.book_add, name="book_add"),
    path("members/", views.members_page, name="members"),
]
