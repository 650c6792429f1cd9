"""The public's consultation pages under /p/ (no login): an open call for topics, a public online hall."""

from django.urls import path  # noqa: F401

from .views import hall, topics  # noqa: F401 (each part adds its routes)

app_name = "public_consultation"

urlpatterns = [
    # The open call for topics (views/topics.py).
    path("<slug:code>/topics/", topics.public_topics, name="topics"),
    # The public online hall (views/hall.py).
    path("<slug:code>/consult/<int:pk>/", hall.public_hall, name="hall"),
]
