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


# --- Commerce track -------------------------------------------------------------------------------
# Settings are edited here; lists and policies come from their loader commands (each load is a new,
# immutable version); gates and hits change only through the Commerce services, so they are read-only.


@admin.register(models.CommerceSettings)
class CommerceSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # one row only
        return not models.CommerceSettings.objects.exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LicensingRuleInline(admin.TabularInline):
    model = models.LicensingRule
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.LicensingPolicyVersion)
class LicensingPolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "effective_date", "loaded_at")
    inlines = [LicensingRuleInline]


@admin.register(models.ScreeningListVersion)
class ScreeningListVersionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "source", "entry_count", "loaded_at")


@admin.register(models.ScreeningEntry)
class ScreeningEntryAdmin(ReadOnlyAdmin):
    list_display = ("name", "source", "type", "entry_key", "list_version")
    list_filter = ("type",)
    search_fields = ("name", "entry_key")


@admin.register(models.LicenseGate)
class LicenseGateAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "eccn", "destination", "status", "rule_code", "policy_version", "decided_by")
    list_filter = ("status",)
    list_select_related = ("proposal", "destination", "policy_version", "decided_by")


@admin.register(models.ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "screened_name", "matched_name", "score", "source", "status")
    list_filter = ("status",)
    list_select_related = ("proposal",)


@admin.register(models.InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "question", "due_date", "asked_by", "answered_at")
    list_select_related = ("proposal", "asked_by")


@admin.register(models.CommerceReview)
class CommerceReviewAdmin(ReadOnlyAdmin):
    list_display = (
        "proposal",
        "reviewer",
        "clock_days",
        "clock_flag",
        "screened_at",
        "licenses_determined_at",
    )
    list_select_related = ("proposal", "reviewer")


# --- EXIM track ----------------------------------------------------------------------------------
@admin.register(models.Deal)
class DealAdmin(ReadOnlyAdmin):
    """Read-only: stages and target dates change through services.exim, which records the reasons."""

    list_display = ("pk", "proposal", "stage", "amount", "product", "destination", "stage_entered_at")
    list_filter = ("stage", "product", "destination__region")
    list_select_related = ("proposal", "destination")
    search_fields = ("proposal__title",)


# --- Documents and notifications: read-only; the workers write these ------------------------------


@admin.register(models.OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "event", "subject", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "event")
    search_fields = ("recipient", "subject")
    list_select_related = ("proposal",)


@admin.register(models.GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "kind", "subject_id", "revision", "page_count", "sha256", "rendered_at")
    list_filter = ("kind",)
    list_select_related = ("proposal",)


@admin.register(models.NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "updated_at")
    list_select_related = ("user",)
