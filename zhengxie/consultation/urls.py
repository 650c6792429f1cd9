from django.urls import path

from .views import consultations, hall, outcomes, topics  # noqa: F401 (each part adds its routes)

app_name = "consultation"

urlpatterns = [
    # Consultations: list, create, page, edit, steps, agenda segments, statistics (views/consultations.py).
    path("", consultations.consultation_list, name="list"),
    path("new/", consultations.consultation_create, name="create"),
    path("<int:pk>/", consultations.consultation_detail, name="detail"),
    path("<int:pk>/edit/", consultations.consultation_edit, name="edit"),
    path("<int:pk>/step/", consultations.consultation_step, name="step"),
    path("<int:pk>/meeting/", consultations.consultation_meeting, name="meeting"),
    path("<int:pk>/segments/", consultations.consultation_segment, name="segment"),
    path(
        "<int:pk>/segments/<int:segment_id>/remove/",
        consultations.consultation_segment_remove,
        name="segment_remove",
    ),
    path("<int:pk>/minutes/", consultations.consultation_minutes, name="minutes"),
    path("<int:pk>/materials/", consultations.consultation_material, name="material"),
    path("stats/", consultations.consultation_stats, name="stats"),
    path("<int:pk>/poster.<str:fmt>", consultations.consultation_poster, name="poster"),
    # Topics, open calls and the year's plan (views/topics.py).
    path("topics/", topics.topic_list, name="topics"),
    path("topics/new/", topics.topic_create, name="topic_create"),
    path("topics/<int:pk>/", topics.topic_detail, name="topic"),
    path("topics/<int:pk>/arrange/", topics.topic_arrange, name="topic_arrange"),
    path("topics/<int:pk>/decide/", topics.topic_decide, name="topic_decide"),
    path("topics/<int:pk>/plan/", topics.topic_plan, name="topic_plan"),
    path("calls/", topics.call_list, name="calls"),
    path("calls/<int:pk>/close/", topics.call_close, name="call_close"),
    path("calls/<int:pk>/poster.<str:fmt>", topics.call_poster, name="call_poster"),
    path("plan/", topics.plan_current, name="plan_current"),
    path("plan/<int:year>/", topics.plan_detail, name="plan"),
    path("plan/<int:year>/approve/", topics.plan_approve, name="plan_approve"),
    path("plan/<int:year>/issue/", topics.plan_issue, name="plan_issue"),
    path("plan/<int:year>/document/", topics.plan_document, name="plan_document"),
    # The online hall (views/hall.py).
    path("<int:pk>/hall/", hall.hall, name="hall"),
    path("<int:pk>/hall/post/", hall.hall_post, name="hall_post"),
    path("<int:pk>/hall/counts/", hall.hall_counts, name="hall_counts"),
    path("<int:pk>/hall/summary/", hall.hall_summary, name="hall_summary"),
    path("<int:pk>/hall/threads/<int:comment_id>/", hall.hall_thread, name="hall_thread"),
    path("<int:pk>/hall/comments/<int:comment_id>/<slug:action>/", hall.hall_moderate, name="hall_moderate"),
    # Outcomes, recommendations, votes and 批示 (views/outcomes.py).
    path("outcomes/", outcomes.outcome_list, name="outcomes"),
    path("<int:pk>/outcome/", outcomes.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/", outcomes.outcome_detail, name="outcome"),
    path("outcomes/<int:pk>/send/", outcomes.outcome_send, name="outcome_send"),
    path("outcomes/<int:pk>/document/", outcomes.outcome_document, name="outcome_document"),
    path("outcomes/<int:pk>/instructions/", outcomes.outcome_instruction, name="outcome_instruction"),
    path("outcomes/<int:pk>/vote/", outcomes.outcome_vote, name="outcome_vote"),
    path("outcomes/<int:pk>/vote/open/", outcomes.outcome_vote_open, name="outcome_vote_open"),
    path("outcomes/<int:pk>/vote/close/", outcomes.outcome_vote_close, name="outcome_vote_close"),
    path("recommendations/<int:pk>/route/", outcomes.recommendation_route, name="recommendation_route"),
    path(
        "recommendations/<int:pk>/adoption/", outcomes.recommendation_adoption, name="recommendation_adoption"
    ),
]
