from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengxie.api import api
from zhengxie.core import views as core_views
from zhengxie.core import views_pwreset, views_twofactor
from zhengxie.members.directory import directory as member_directory

# Authenticators are enrolled, disabled and reset only through core.twofactor (audited, notified), not
# through django-admin's generic device pages.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

urlpatterns = [
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/login/otp/", views_twofactor.login_otp, name="login_otp"),
    path("accounts/password/forgot/", views_pwreset.forgot, name="password_forgot"),
    path("accounts/password/forgot/reset/", views_pwreset.reset, name="password_forgot_reset"),
    path("accounts/login/otp/cancel/", views_twofactor.login_otp_cancel, name="login_otp_cancel"),
    path("accounts/security/", views_twofactor.security, name="account_security"),
    path("accounts/security/totp/", views_twofactor.totp_enrol, name="totp_enrol"),
    path("accounts/security/totp/disable/", views_twofactor.totp_disable, name="totp_disable"),
    path("accounts/security/contact/", views_twofactor.contact_update, name="account_contact"),
    path("accounts/security/tokens/revoke/", views_twofactor.token_revoke, name="tokens_revoke_all"),
    path("accounts/security/tokens/<int:pk>/revoke/", views_twofactor.token_revoke, name="token_revoke"),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
    path("manage/", include("zhengxie.members.urls")),
    path("handling/", include("zhengxie.handling.urls")),
    path("proposals/", include("zhengxie.proposals.urls")),
    path("opinions/", include("zhengxie.opinions.urls")),
    path("studios/", include("zhengxie.studios.urls")),
    path("suggestions/", include("zhengxie.suggestions.urls")),
    path("p/", include("zhengxie.suggestions.public_urls")),
    path("p/", include("zhengxie.consultation.public_urls")),
    path("consultation/", include("zhengxie.consultation.urls")),
    path("keytasks/", include("zhengxie.keytasks.urls")),
    path("supervision/", include("zhengxie.supervision.urls")),
    path("appraisal/", include("zhengxie.appraisal.urls")),
    path("research/", include("zhengxie.research.urls")),
    path("yearbook/", include("zhengxie.yearbook.urls")),
    path("reading/", include("zhengxie.reading.urls")),
    path("activities/", include("zhengxie.activities.urls")),
    path("performance/", include("zhengxie.performance.urls")),
    path("dashboard/", include("zhengxie.dashboard.urls")),
    path("routing/", include("zhengxie.routing.urls")),
    path("drafting/", include("zhengxie.drafting.urls")),
    path("hottopics/", include("zhengxie.hottopics.urls")),
    path("search/", include("zhengxie.search.urls")),
    path("members/directory/", member_directory, name="member_directory"),
    path("", include("zhengxie.core.urls")),
]

handler403 = "zhengxie.core.views_errors.forbidden"
handler404 = "zhengxie.core.views_errors.not_found"
