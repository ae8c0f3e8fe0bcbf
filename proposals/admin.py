"""Admin: reference data and program settings are edited here; proposals are read-mostly."""

from django.contrib import admin

from proposals import models


@admin.register(models.CountryGroup)
class CountryGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "oecd_category", "risk_class", "is_country_of_concern")
    list_filter = ("region", "oecd_category", "is_country_of_concern", "groups")
    search_fields = ("code", "name")
    filter_horizontal = ("groups",)


@admin.register(models.ProgramSettings)
class ProgramSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # one row only
        return not models.ProgramSettings.objects.exists()


class MemberInline(admin.TabularInline):
    model = models.ConsortiumMember
    extra = 0


class ConsortiumUserInline(admin.TabularInline):
    model = models.ConsortiumUser
    extra = 0
    raw_id_fields = ("user",)


@admin.register(models.Consortium)
class ConsortiumAdmin(admin.ModelAdmin):
    inlines = [MemberInline, ConsortiumUserInline]
    search_fields = ("name",)


@admin.register(models.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "country_of_incorporation", "ultimate_parent", "ultimate_parent_country")
    search_fields = ("legal_name", "ultimate_parent")


@admin.register(models.Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "consortium", "status", "revision_number", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "consortium__name")
    list_select_related = ("consortium",)
    # State changes go through the workflow service, never the admin form.
    readonly_fields = ("status", "status_changed_at", "revision_number")


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "proposal", "subject", "action", "from_state", "to_state", "actor")
    list_select_related = ("proposal", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
