from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("<str:kind>/<int:pk>/", views.card, name="card"),
    path("<str:kind>/<int:pk>/adopt/", views.adopt, name="adopt"),
]
