from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhengxie.api import api
from zhengxie.core import views as core_views

urlpatterns = [
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
    path("manage/", include("zhengxie.members.urls")),
    path("proposals/", include("zhengxie.proposals.urls")),
    path("activities/", include("zhengxie.activities.urls")),
    path("performance/", include("zhengxie.performance.urls")),
    path("dashboard/", include("zhengxie.dashboard.urls")),
    path("", include("zhengxie.core.urls")),
]

handler403 = "zhengxie.core.views_errors.forbidden"
handler404 = "zhengxie.core.views_errors.not_found"
