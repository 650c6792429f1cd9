from django.urls import path

from . import views, views_help, views_pickers

app_name = "core"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("help/", views_help.help_page, name="help"),
    path("pick/<slug:name>/", views_pickers.picker, name="picker"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    # files built in the background by any module (core.exports)
    path("exports/<uuid:export_id>/", views.export_page, name="export"),
    path("exports/<uuid:export_id>/progress/", views.export_progress, name="export_progress"),
    path("exports/<uuid:export_id>/download/", views.export_download, name="export_download"),
    path("exports/<uuid:export_id>/retry/", views.export_retry, name="export_retry"),
]
