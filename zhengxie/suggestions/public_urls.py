"""The public's pages under /p/ (no login): what the QR posters open."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("", public.index, name="index"),
    path("track/", public.track, name="track"),
    path("<slug:code>/", public.landing, name="landing"),
    path("<slug:code>/studio/<int:studio_id>/", public.landing, name="studio"),
    path("<slug:code>/answers/", public.answers, name="answers"),
]
