from django.urls import path

from zhengxie.core import views as core_views
from zhengxie.core import views_twofactor

from . import views, views_groups
from .roster import EXPORT_KIND

app_name = "members"

urlpatterns = [
    path("", views.index, name="index"),
    # organisations
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/<int:pk>/add/", views.org_add, name="org_add"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/active/", views.org_active, name="org_active"),
    path("orgs/<int:pk>/settings/", views.org_settings, name="org_settings"),
    # terms and sessions
    path("terms/", views.terms, name="terms"),
    path("terms/new/", views.term_new, name="term_new"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/current/", views.term_current, name="term_current"),
    path("terms/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/current/", views.session_current, name="session_current"),
    # handling units
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_active, name="unit_active"),
    path(
        "units/<int:pk>/handlers/<int:user_pk>/remove/", views.unit_handler_remove, name="unit_handler_remove"
    ),
    # users
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/reset-request/", views.user_reset_request, name="user_reset_request"),
    path("admin-resets/<int:pk>/approve/", views.admin_reset_approve, name="admin_reset_approve"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-2fa/", views_twofactor.user_reset_2fa, name="user_reset_2fa"),
    # the member roster
    path("members/", views.roster, name="roster"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/import/", views.roster_import, name="roster_import"),
    path("members/import/template/", views.roster_template, name="roster_template"),
    path("members/import/<uuid:pk>/", views.roster_import_job, name="roster_import_job"),
    path("members/import/<uuid:pk>/progress/", views.roster_import_progress, name="roster_import_progress"),
    path("members/import/<uuid:pk>/retry/", views.roster_import_retry, name="roster_import_retry"),
    path(
        "members/import/<uuid:pk>/passwords/", views.roster_import_passwords, name="roster_import_passwords"
    ),
    path("members/export/", views.roster_export, name="roster_export"),
    # earlier addresses of a roster export's page and file: the core's export pages (core:export ...)
    path(
        "members/exports/<uuid:export_id>/",
        core_views.export_page,
        {"kinds": [EXPORT_KIND]},
        name="roster_export_job",
    ),
    path(
        "members/exports/<uuid:export_id>/progress/",
        core_views.export_progress,
        {"kinds": [EXPORT_KIND]},
        name="roster_export_progress",
    ),
    path(
        "members/exports/<uuid:export_id>/download/",
        core_views.export_download,
        {"kinds": [EXPORT_KIND]},
        name="roster_export_download",
    ),
    # 界别召集人, 委员小组, 履职承诺 (issue 15)
    path("groups/", views_groups.groups, name="groups"),
    path("groups/new/", views_groups.group_new, name="group_new"),
    path("groups/<int:pk>/edit/", views_groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", views_groups.group_delete, name="group_delete"),
    path("sectors/<int:pk>/conveners/", views_groups.sector_conveners, name="sector_conveners"),
    path("pledges/", views_groups.pledges, name="pledges"),
    path("members/<int:pk>/pledge/<int:year>/", views_groups.pledge_edit, name="pledge_edit"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
]

# Sectors, special committees and parties share one set of views.
for kind in ("sectors", "committees", "parties"):
    urlpatterns += [
        path(f"{kind}/", views.ordered_list, {"kind": kind}, name=kind),
        path(f"{kind}/new/", views.ordered_new, {"kind": kind}, name=f"{kind}_new"),
        path(f"{kind}/<int:pk>/edit/", views.ordered_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}/<int:pk>/move/", views.ordered_move, {"kind": kind}, name=f"{kind}_move"),
    ]
