from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar/", views.meeting_calendar, name="calendar"),
    path("attendance/", views.attendance_stats, name="attendance"),
    path("new/", views.meeting_create, name="create"),
    path("leave/", views.leave_requests, name="leave"),
    path("checkin/<int:pk>/<str:token>/", views.checkin, name="checkin"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/reply/", views.meeting_reply, name="reply"),
    path("<int:pk>/invite/", views.meeting_invite, name="invite"),
    path("<int:pk>/invite/search/", views.invite_search, name="invite_search"),
    path("<int:pk>/notify/", views.meeting_notify, name="notify"),
    path("<int:pk>/close/", views.meeting_close, name="close"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/replies/", views.meeting_replies, name="replies"),
    path("<int:pk>/invitations/<int:inv>/attendance/", views.invitation_attendance, name="attendance_set"),
    path("<int:pk>/invitations/<int:inv>/decide/", views.invitation_decide, name="decide"),
    path("<int:pk>/invitations/<int:inv>/remove/", views.invitation_remove, name="invitation_remove"),
    path("<int:pk>/qr/", views.meeting_qr, name="qr"),
    path("<int:pk>/qr/code/", views.meeting_qr_code, name="qr_code"),
    path("<int:pk>/qr/rotate/", views.meeting_rotate, name="rotate"),
    path("<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("<int:pk>/materials/<int:att>/delete/", views.material_delete, name="material_delete"),
]
