from django.urls import path

from . import views

app_name = "performance"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("members/<int:pk>/", views.member_archive, name="member"),
    path("members/<int:pk>/report.<str:fmt>", views.member_report, name="member_report"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/confirm/", views.reviews_confirm, name="reviews_confirm"),
    path("reviews/<int:pk>/confirm/", views.review_confirm, name="review_confirm"),
    path("reviews/<int:pk>/reject/", views.review_reject, name="review_reject"),
    path("rankings/", views.rankings, name="rankings"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/convened/", views.convened_warnings, name="convened_warnings"),
    path("warnings/<int:member_id>/<int:year>/", views.warning_case, name="warning_case"),
    path("renomination/", views.renomination_list, name="renomination"),
    path("renomination/export.xlsx", views.renomination_export, name="renomination_export"),
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/confirm/", views.assessment_confirm, name="assessment_confirm"),
    path("assessments/<int:pk>/export.xlsx", views.assessment_export, name="assessment_export"),
    path("scheme/", views.scheme, name="scheme"),
    path("scheme/runs/<int:pk>/", views.recomputation, name="recomputation"),
    path("scheme/runs/<int:pk>/retry/", views.recomputation_retry, name="recomputation_retry"),
]
