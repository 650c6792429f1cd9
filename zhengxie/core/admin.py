from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import AuditEntry, HandlingUnit, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ["name", "kind", "code"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "is_active"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "organisation", "is_active"]
    search_fields = ["username", "name", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("政协", {"fields": ("name", "phone", "organisation", "office", "handling_unit", "title")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "target_repr", "ip"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
