from django.urls import path

from zhengxie.core import views as core_views

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("similar/", views.similar, name="similar"),
    path("members/search/", views.member_search, name="member_search"),
    path("review/", views.review_queue, name="review_queue"),
    path("assign/batch/", views.batch_assign, name="batch_assign"),
    path("changes/", views.change_requests, name="changes"),
    path("changes/<int:assignment_id>/", views.decide_change, name="decide_change"),
    path("inbox/", views.unit_inbox, name="inbox"),
    path("key/", views.key_list, name="key"),
    path("stats/", views.stats_page, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
    path("export/", views.export_list, name="export_list"),
    path("compilation/", views.compilation, name="compilation"),
    # earlier addresses of an export's page and file: the core's export pages (core:export ...)
    path("exports/<uuid:export_id>/", core_views.export_page, name="export"),
    path("exports/<uuid:export_id>/progress/", core_views.export_progress, name="export_progress"),
    path("exports/<uuid:export_id>/download/", core_views.export_download, name="export_download"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/cosign/", views.cosign, name="cosign"),
    path("<int:pk>/document.<str:fmt>", views.document, name="document"),
    path("<int:pk>/reply-letter-template.docx", views.reply_template, name="reply_template"),
    path("<int:pk>/do/<str:code>/", views.action, name="action"),
    path("<int:pk>/run/<str:code>/", views.simple_action, name="simple_action"),
]

# 跟踪落实 (follow-up of B-class replies)
from .views import followup as views_followup  # noqa: E402

urlpatterns += [
    path("followups/", views_followup.ledger, name="followup_ledger"),
    path("followups/export/", views_followup.ledger_export, name="followup_export"),
    path("followups/mine/", views_followup.mine, name="followups_mine"),
    path("followups/<int:pk>/", views_followup.detail, name="followup"),
    path("followups/<int:pk>/<str:code>/", views_followup.act, name="followup_act"),
]

# 申请加入 (join a similar proposal instead)
from .views import join as views_join  # noqa: E402

urlpatterns += [
    path("<int:pk>/join/", views_join.join, name="join"),
    path("<int:pk>/join/decision/", views_join.join_decision, name="join_decision"),
]

# 疑似重复: 一键并案 of a group from the review queue
from .views import duplicates as views_duplicates  # noqa: E402

urlpatterns += [path("review/merge/", views_duplicates.merge_group, name="merge_group")]

# 撤回 before review and deleting a draft (issue 15)
from .views import withdraw as views_withdraw  # noqa: E402

urlpatterns += [
    path("<int:pk>/withdraw/", views_withdraw.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views_withdraw.delete, name="delete"),
]

# 本会提案: members browse the accepted proposals of their committee (issue 15)
from .views import browse as views_browse  # noqa: E402

urlpatterns += [path("accepted/", views_browse.accepted, name="accepted")]

# 批量立案 from the review queue (issue 15)
from .views import batch as views_batch  # noqa: E402

urlpatterns += [path("review/batch/", views_batch.review_batch, name="review_batch")]
