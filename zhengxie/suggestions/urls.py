from django.urls import path

from .stats import views as stats_views
from .views import duplicates as views_duplicates
from .views import staff

app_name = "suggestions"

urlpatterns = [
    path("", staff.queue, name="queue"),
    path("studio/", staff.studio_queue, name="studio_queue"),
    path("merge/", views_duplicates.merge_group, name="merge_group"),
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/export/", stats_views.stats_export, name="stats_export"),
    path("photos/<int:pk>/", staff.photo, name="photo"),
    path("<int:pk>/", staff.detail, name="detail"),
    path("<int:pk>/unpublish/", staff.unpublish, name="unpublish"),
    path("<int:pk>/<str:name>/", staff.action, name="action"),
]
