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
    path("<int:pk>/hall/", hall.hall, name="hall"),
    path("<int:pk>/hall/post/", hall.hall_post, name="hall_post"),
    path("<int:pk>/hall/counts/", hall.hall_counts, name="hall_counts"),
    path("<int:pk>/hall/summary/", hall.hall_summary, name="hall_summary"),
    path("<int:pk>/hall/threads/<int:comment_id>/", hall.hall_thread, name="hall_thread"),
    path(
        "<int:pk>/hall/comments/<int:comment_id>/<slug:action>/", hall.hall_moderate, name="hall_moderate"
    ),
    # Outcomes, recommendations, votes and 批示 (views/outcomes.py).
]
