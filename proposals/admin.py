"""Admin: reference data and program settings are edited here; proposals are read-mostly."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from proposals import models
from proposals.commerce.policy.ownership import ownership_share_errors
from proposals.core.errors import StaleVersion
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.core.services.concurrency import version_claim
from proposals.core.web.fields import text_field
from proposals.exim.policy import financing as fin
from proposals.exim.services import committed_exposure


@admin.register(models.CountryGroup)
class CountryGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "oecd_category", "risk_class", "is_country_of_concern")
    list_filter = ("region", "oecd_category", "is_country_of_concern", "groups")
    search_fields = ("code", "name")
    filter_horizontal = ("groups",)


# --- Settings: one record each, numbers written for people, every change audited with its reason ----
# Each save is recorded as a django.contrib.admin LogEntry (who, when, which record) whose message is
# the reason given and each changed field's old and new value; the admin's History page shows it. The
# proposals' AuditEvent trail belongs to a proposal, which a program setting is not.


class PercentInput(forms.NumberInput):
    """A share (0.51) edited as a percentage (51 %)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"step": "0.1", "min": "0", "max": "100", "class": "vIntegerField", **(attrs or {})})

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return format_html("{} %", super().render(name, value, attrs, renderer))


class PercentField(forms.DecimalField):
    """The form side of a share: shows 51 for 0.51 and reads 51 back as 0.51 (to 0.1%)."""

    widget = PercentInput

    def __init__(self, **kwargs: Any) -> None:
        for unused in ("max_digits", "decimal_places", "max_value", "min_value"):
            kwargs.pop(unused, None)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A stored share (Decimal) is shown as a percentage; text the user typed is shown as typed.
        return f"{(value * 100).normalize():f}" if isinstance(value, Decimal) else value

    def to_python(self, value: Any) -> Decimal | None:
        percent = super().to_python(value)
        if percent is None:
            return None
        if percent != percent.quantize(Decimal("0.1")):
            raise ValidationError(
                "Enter the percentage to at most one decimal (such as 51 or 51.5).", "precision"
            )
        return percent / 100

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}


class DollarInput(forms.NumberInput):
    """A dollar amount, with the value as people say it beside the box ($135 billion)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"step": "0.01", "min": "0", "class": "vTextField", **(attrs or {})})

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return box
        return format_html('$ {} <span class="help">{}</span>', box, fin.usd_words(amount))


# The settings form's own fields, which are no setting: why it changed, and the version it started from.
FORM_ONLY = ("reason", "opened_version")


class SettingsForm(forms.ModelForm):
    reason = text_field(
        NOTE_MAX_CHARS,
        multiline=True,
        label="Reason for change",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Required. Recorded with your name and the changed values in this record's history.",
    )
    # The record's version when the page was opened: a save from an older one is refused, field by
    # field (core.services.concurrency), instead of silently reverting another administrator's change.
    # (Not named `version`: the admin refuses a model's non-editable field name in its fieldsets.)
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # The admin saves inside one transaction: this lock holds until the record is written.
        saved = type(self.instance).objects.select_for_update().get(pk=self.instance.pk)
        edited = {n: cleaned[n] for n in self.changed_data if n in cleaned and n not in FORM_ONLY}
        try:
            version_claim(saved, expected=cleaned.get("opened_version"), data=edited)
        except StaleVersion as exc:
            raise ValidationError(
                [exc.message]
                + [f"{c['label']}: yours {c['yours']}, saved {c['saved']}." for c in exc.extra["changes"]]
            ) from exc
        self.instance.version = saved.version
        return cleaned


class SingletonSettingsAdmin(admin.ModelAdmin):
    """One settings record: no add or delete, the list goes straight to it; each save needs a reason."""

    form = SettingsForm
    save_as = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        record = self.model.current()
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_fieldsets(request, obj), ("Reason for change", {"fields": list(FORM_ONLY)})]

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> str:
        """Who is the LogEntry's user; why and what are its message."""
        changes = [
            f"{form.fields[name].label or name}: {self._shown(form, name, form.initial.get(name))} -> "
            f"{self._shown(form, name, form.cleaned_data.get(name))}"
            for name in form.changed_data
            if name not in FORM_ONLY
        ]
        reason = form.cleaned_data["reason"].strip()
        return f"Reason: {reason}. Changed: {'; '.join(changes) if changes else 'nothing'}."

    @staticmethod
    def _shown(form: Any, name: str, value: Any) -> str:
        if isinstance(form.fields[name], PercentField) and isinstance(value, Decimal):
            return fin.pct(value)
        if isinstance(form.fields[name].widget, DollarInput) and isinstance(value, Decimal):
            return fin.usd(value)
        return json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)


@admin.register(models.ProgramSettings)
class ProgramSettingsAdmin(SingletonSettingsAdmin):
    fieldsets = [
        (
            "Content and cash",
            {
                "fields": [
                    "package_sector",
                    "transformational_content_min",
                    "hardware_us_content_min",
                    "cash_payment_min",
                    "financed_share_max",
                    "local_costs_max_category_i",
                    "local_costs_max_category_ii",
                ]
            },
        ),
        (
            "Term classes and tenors",
            {
                "fields": [
                    "medium_term_max_amount",
                    "medium_term_max_tenor_years",
                    "long_term_max_tenor_years",
                    "max_tenor_category_i_years",
                    "max_tenor_category_i_with_notice_years",
                    "max_tenor_category_ii_years",
                ]
            },
        ),
        (
            "Approvals",
            {
                "fields": [
                    "board_approval_threshold",
                    "congressional_threshold",
                    "congressional_notification_days",
                ]
            },
        ),
        (
            "Exposure ceiling",
            {"fields": ["exposure_summary", "statutory_ceiling", "what_if_ceiling", "outstanding_exposure"]},
        ),
        ("Deal stage benchmarks", {"fields": ["deal_stage_benchmark_days"]}),
    ]
    readonly_fields = ["exposure_summary"]
    SHARES = (
        "hardware_us_content_min",
        "cash_payment_min",
        "financed_share_max",
        "local_costs_max_category_i",
        "local_costs_max_category_ii",
        "transformational_content_min",
    )
    DOLLARS = (
        "medium_term_max_amount",
        "board_approval_threshold",
        "congressional_threshold",
        "statutory_ceiling",
        "outstanding_exposure",
        "what_if_ceiling",
    )

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.SHARES:
            return db_field.formfield(form_class=PercentField, **kwargs)
        if db_field.name in self.DOLLARS:
            kwargs["widget"] = DollarInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Exposure today")
    def exposure_summary(self, obj: models.ProgramSettings) -> str:
        committed = committed_exposure()
        exposure = obj.outstanding_exposure + committed
        return (
            f"{fin.usd_words(obj.outstanding_exposure)} outstanding plus {fin.usd_words(committed)} "
            f"committed by this program's authorized deals: {fin.usd_words(exposure)}. Headroom "
            f"{fin.usd_words(obj.statutory_ceiling - exposure)} under the statutory ceiling of "
            f"{fin.usd_words(obj.statutory_ceiling)}; {fin.usd_words(obj.what_if_ceiling - exposure)} under "
            f"the what-if ceiling of {fin.usd_words(obj.what_if_ceiling)}."
        )


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


class OwnersFormSet(forms.BaseInlineFormSet):
    """The owners of one company or party: their shares together at most 100% (the same check as the
    portal's ownership service, commerce.policy.ownership.ownership_share_errors)."""

    def clean(self) -> None:
        super().clean()
        percents = [
            form.cleaned_data["percent"]
            for form in self.forms
            if form.cleaned_data.get("percent") is not None and not form.cleaned_data.get("DELETE")
        ]
        if errors := ownership_share_errors(percents):
            raise ValidationError(errors)


class OwnerInline(admin.TabularInline):
    model = models.Owner
    formset = OwnersFormSet
    extra = 0
    fields = ("name", "country", "percent")


@admin.register(models.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "country_of_incorporation", "ultimate_parent", "ultimate_parent_country")
    search_fields = ("legal_name", "ultimate_parent", "owners__name")
    inlines = [OwnerInline]


@admin.register(models.Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "proposal", "country", "headquarters_country", "ultimate_parent")
    list_select_related = ("proposal", "country", "headquarters_country")
    search_fields = ("name", "ultimate_parent", "owners__name", "proposal__title")
    raw_id_fields = ("proposal",)
    inlines = [OwnerInline]


@admin.register(models.Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "consortium", "call", "status", "revision_number", "updated_at")
    list_filter = ("status", "call")
    search_fields = ("title", "consortium__name")
    list_select_related = ("consortium", "call")
    # State changes go through the workflow service, never the admin form.
    readonly_fields = ("status", "status_changed_at", "revision_number")


# --- Calls for proposals: program staff manage them in the portal (/program/calls/); the admin shows
# them and lets a superuser correct a call. A published rubric and its criteria are read-only: a change
# is a new version.


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    extra = 0
    fields = ("order", "code", "title", "description", "weight", "scale_min", "scale_max")

    def _editable(self, obj: Any) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(models.Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("call", "version", "published_at")
    list_select_related = ("call",)
    inlines = [CriterionInline]
    # Publishing checks the weights: it goes through the calls service (portal or API), not this form.
    readonly_fields = ("published_at",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or not obj.is_published) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or not obj.is_published) and super().has_delete_permission(request, obj)


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("name", "federal_register_citation", "opens_on", "closes_on", "rolling")
    search_fields = ("name", "slug", "federal_register_citation")
    prepopulated_fields = {"slug": ("name",)}


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
class CommerceSettingsAdmin(SingletonSettingsAdmin):
    fieldsets = [
        (
            "Review clock (days from registration)",
            {"fields": ["referral_days", "agency_answer_days", "resolution_days", "near_deadline_days"]},
        ),
        ("Screening", {"fields": ["fuzzy_threshold"]}),
    ]


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


@admin.register(models.OwnershipPolicyVersion)
class OwnershipPolicyVersionAdmin(ReadOnlyAdmin):
    """Loaded from data/ownership_policy.json (manage.py load_ownership_policy): each load a new version."""

    list_display = (
        "number",
        "name",
        "threshold_percent",
        "enabled",
        "effective_from",
        "suspended_from",
        "suspended_until",
        "loaded_at",
    )


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
