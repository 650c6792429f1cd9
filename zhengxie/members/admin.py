"""Django admin as a fallback only: the purpose-built pages under /manage/ write the audit trail."""

from django.contrib import admin

from .models import Member, Party, Sector, Session, SpecialCommittee, Term


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "start_date", "end_date", "is_current"]
    list_filter = ["organisation"]
    inlines = [SessionInline]


@admin.register(Sector, SpecialCommittee)
class OrderedAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "order"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "order"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "sector", "status"]
    list_filter = ["organisation", "status"]
    search_fields = ["name"]
    list_select_related = ["organisation", "sector"]
    raw_id_fields = ["user"]
    # Personal data stays out of the admin's lists and forms.
    exclude = ["id_number", "address"]
