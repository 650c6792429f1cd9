from django.urls import path

from . import views
from .stats import views as stats_views

app_name = "opinions"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("similar/", views.similar, name="similar"),
    path("members/", views.member_search, name="member_search"),
    path("queue/", views.queue, name="queue"),
    path("all/", views.opinion_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/adoptions/", views.adopt, name="adopt"),
    path("adoptions/<int:adoption_id>/revoke/", views.revoke_adoption, name="revoke_adoption"),
    path("<int:pk>/instructions/", views.instruct, name="instruct"),
    path("issues/", views.issues, name="issues"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<int:pk>/publish/", views.issue_publish, name="issue_publish"),
    path("issues/<int:pk>/document/", views.issue_document, name="issue_document"),
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/export/", stats_views.stats_export, name="stats_export"),
]

# 疑似重复: 一键合并 of a group from the 信息工作台
from .views import duplicates as views_duplicates  # noqa: E402

urlpatterns += [path("queue/merge/", views_duplicates.merge_group, name="merge_group")]
