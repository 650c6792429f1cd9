from django.urls import path

from .views import consultations, hall, outcomes, topics  # noqa: F401 (each part adds its routes)

app_name = "consultation"

urlpatterns = [
    # Consultations: list, create, page, edit, steps, agenda segments, statistics (views/consultations.py).
    path("", consultations.consultation_list, name="list"),
    path("new/", consultations.consultation_create, name="create"),
    path("<int:pk>/", consultations.consultation_detail, name="detail"),
    # Topics, open calls and the year's plan (views/topics.py).
    # The online hall (views/hall.py).
    # Outcomes, recommendations, votes and 批示 (views/outcomes.py).
]
