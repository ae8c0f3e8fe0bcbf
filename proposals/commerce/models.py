"""The Commerce track: screening lists and hits, licensing policy, license gates, RFIs, assignment."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from proposals.commerce.policy.information_requests import rfi_days_left
from proposals.core.enums import GateStatus, HitStatus, LicenseRequirement, ReviewClockFlag, ScreenedSubject
from proposals.core.models.reference import validate_positive_days
from proposals.core.models.text import multiline_text
from proposals.core.models.versioned import Versioned
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.core.workflow import AGENCIES


class CommerceSettings(Versioned):
    """Commerce's editable numbers: review clock marks (EO 12981) and the fuzzy screening threshold.

    The marks count days from registration, so they come in order: referral, agencies' answers, final
    resolution. `clean()` refuses anything else, each refusal on its field.
    """

    referral_days = models.PositiveIntegerField(
        default=9,
        validators=[validate_positive_days],
        help_text="Referral to other agencies, in days from registration.",
    )
    agency_answer_days = models.PositiveIntegerField(
        default=30,
        validators=[validate_positive_days],
        help_text="Other agencies' answer, in days from registration; at least the referral mark.",
    )
    resolution_days = models.PositiveIntegerField(
        default=90,
        validators=[validate_positive_days],
        help_text="Final resolution, in calendar days from registration; at least the agencies' answer.",
    )
    near_deadline_days = models.PositiveIntegerField(
        default=3, help_text="Flag work this many days or fewer before a mark; less than the resolution mark."
    )
    fuzzy_threshold = models.PositiveSmallIntegerField(
        default=88,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="Minimum fuzzy score (50-100) for a screening hit.",
    )

    class Meta:
        verbose_name = "Commerce settings"
        verbose_name_plural = "Commerce settings"

    def __str__(self) -> str:
        return "Commerce settings"

    def clean(self) -> None:
        """The clock marks in order, and the near-deadline warning inside the review period."""
        errors: dict[str, str] = {}
        referral, answer, resolution = self.referral_days, self.agency_answer_days, self.resolution_days
        if referral and answer and answer < referral:
            errors["agency_answer_days"] = (
                f"The agencies' answer ({answer} days) cannot come before the referral ({referral} days)."
            )
        if answer and resolution and resolution < answer:
            errors["resolution_days"] = (
                f"The final resolution ({resolution} days) cannot come before the agencies' answer "
                f"({answer} days)."
            )
        if resolution and self.near_deadline_days is not None and self.near_deadline_days >= resolution:
            errors["near_deadline_days"] = (
                f"The warning ({self.near_deadline_days} days before a mark) must be shorter than the "
                f"review period ({resolution} days)."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "CommerceSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()


# --- Party screening -------------------------------------------------------------------------


class ScreeningListVersion(models.Model):
    """One load of the Consolidated Screening List; the newest load is the one screening uses."""

    source = models.CharField(max_length=500, help_text="File path or URL it was loaded from.")
    sha256 = models.CharField(max_length=64)
    entry_count = models.PositiveIntegerField(default=0)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    # What changed since the version loaded before this one (entry `_id`s): a proposal screened against
    # that version is re-screened against the changed entries only (policy.screening.list_delta).
    delta_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_keys = models.JSONField(default=list, blank=True)
    removed_keys = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Screening list v{self.pk} ({self.entry_count} entries)"


class ScreeningListKeys(models.Model):
    """What a delta re-screen needs to narrow names as the whole list's index would, without building
    it (policy.screening.ScreeningIndex): the index's keys, and the common ones with their counts.
    Written once when the version is loaded; kept apart so reading a version does not read these."""

    list_version = models.OneToOneField(ScreeningListVersion, on_delete=models.CASCADE, related_name="keys")
    keys = models.JSONField(default=list)
    common = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Index keys of screening list v{self.list_version_id}"


class ScreeningEntry(models.Model):
    """One row of a list version: a listed person, entity, vessel or aircraft."""

    list_version = models.ForeignKey(ScreeningListVersion, on_delete=models.CASCADE, related_name="entries")
    entry_key = models.CharField("_id", max_length=100)
    source = models.CharField(max_length=200, help_text="The source list, e.g. Entity List (EL) - Bureau...")
    entity_number = models.CharField(max_length=50, blank=True)
    type = models.CharField(max_length=20, blank=True)
    programs = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=500)
    alt_names = models.JSONField(default=list, blank=True)
    addresses = models.TextField(blank=True)
    remarks = models.TextField(blank=True)
    source_list_url = models.CharField(max_length=500, blank=True)
    # Every column as published, so the reviewer sees the entry exactly as the list has it.
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["list_version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["list_version", "entry_key"], name="screening_entry_key_unique")
        ]
        verbose_name_plural = "screening entries"

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"


class ScreeningHit(models.Model):
    """A name on the proposal that matched a list entry: opens a review, it is not a decision."""

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="screening_hits")
    entry = models.ForeignKey(ScreeningEntry, on_delete=models.PROTECT, related_name="hits")
    list_version = models.ForeignKey(ScreeningListVersion, on_delete=models.PROTECT, related_name="hits")
    # The entry's `_id`, stable across list versions: a re-screen against a newer list finds the same hit.
    entry_key = models.CharField(max_length=100)
    subject_type = models.CharField(max_length=16, choices=ScreenedSubject.choices)
    subject_label = models.CharField(max_length=300, help_text="Who on the proposal was screened.")
    screened_name = models.CharField(max_length=300)
    matched_name = models.CharField(max_length=500)
    source = models.CharField(max_length=200)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    exact = models.BooleanField(default=False)
    company = models.ForeignKey(
        "Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="screening_hits"
    )
    party = models.ForeignKey(
        "Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="screening_hits"
    )
    status = models.CharField(max_length=20, choices=HitStatus.choices, default=HitStatus.UNRESOLVED)
    adjudication_reason = multiline_text(NOTE_MAX_CHARS, blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "entry_key", "screened_name"], name="screening_hit_once"
            )
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="hit_proposal_status")]

    def __str__(self) -> str:
        return f"{self.screened_name} ~ {self.matched_name} ({self.score})"


# --- Licensing policy --------------------------------------------------------------------------


class LicensingPolicyVersion(models.Model):
    """A numbered rule set; the highest number is in force. Loading a new one re-evaluates open work."""

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    effective_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Policy v{self.number}: {self.name}"


class LicensingRule(models.Model):
    """ECCN patterns x where they go (or who is behind the parties) -> license requirement.

    A rule fires on a destination when the destination is in `destination_groups` (and in none of
    `except_groups`) or in `destination_countries`; it fires anywhere when a party's headquarters or
    ultimate parent is in `party_groups` or `party_countries`.
    """

    policy_version = models.ForeignKey(LicensingPolicyVersion, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=60)
    description = models.CharField(max_length=300)
    eccn_patterns = models.JSONField(default=list, help_text='Like "3A090", "3A090.*", "5A992.Z".')
    destination_groups = models.JSONField(default=list, blank=True)
    except_groups = models.JSONField(default=list, blank=True)
    destination_countries = models.JSONField(default=list, blank=True)
    party_groups = models.JSONField(default=list, blank=True)
    party_countries = models.JSONField(default=list, blank=True)
    requirement = models.CharField(
        max_length=20, choices=LicenseRequirement.choices, default=LicenseRequirement.LICENSE_REQUIRED
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["policy_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "code"], name="licensing_rule_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} (v{self.policy_version.number})"


class OwnershipPolicyVersion(models.Model):
    """The Entity List affiliates (50%) rule as dated data; the highest number is in force.

    An entity owned `threshold_percent` or more, directly or in aggregate, by listed parties is itself
    a screening hit, from `effective_from`, while `enabled`, except from `suspended_from` until the day
    before `suspended_until` (commerce.policy.ownership.AffiliatesRule.in_force).
    """

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    threshold_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="Aggregate share of listed owners that makes the owned entity a hit (50 = 50%).",
    )
    enabled = models.BooleanField(default=True, help_text="Off: the rule is not applied at all.")
    effective_from = models.DateField(null=True, blank=True)
    suspended_from = models.DateField(null=True, blank=True)
    suspended_until = models.DateField(
        null=True,
        blank=True,
        help_text="The rule applies again from this day; blank: suspended until further notice.",
    )
    source = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = "ownership (affiliates) policy version"

    def __str__(self) -> str:
        return f"Ownership policy v{self.number}: {self.name}"

    def clean(self) -> None:
        if self.suspended_from and self.suspended_until and self.suspended_until <= self.suspended_from:
            raise ValidationError({"suspended_until": "The suspension must end after it starts."})


class LicenseGate(models.Model):
    """One license decision per (ECCN, destination) on a proposal; its status moves only via gate_decide."""

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="license_gates")
    eccn = models.CharField("ECCN", max_length=16)
    destination = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="+")
    line_item_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=28, choices=GateStatus.choices, default=GateStatus.OPEN)
    rule_code = models.CharField(max_length=60, help_text="The rule that required the license.")
    rule_description = models.CharField(max_length=300, blank=True)
    policy_version = models.ForeignKey(LicensingPolicyVersion, on_delete=models.PROTECT, related_name="gates")
    conditions = multiline_text(
        NOTE_MAX_CHARS, blank=True, help_text="Provisos of an approval with conditions."
    )
    reason = multiline_text(NOTE_MAX_CHARS, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "eccn", "destination_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "eccn", "destination"], name="gate_once_per_group")
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="gate_proposal_status")]

    def __str__(self) -> str:
        return f"{self.eccn} to {self.destination_id}: {self.get_status_display()}"

    @property
    def subject(self) -> str:
        return f"gate:{self.pk}"


# --- Requests for information and the reviewer's track -----------------------------------------


class InformationRequest(models.Model):
    """A reviewer's question to the consortium; answered by editing and resubmitting the proposal."""

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="information_requests")
    question = multiline_text(NOTE_MAX_CHARS)
    due_date = models.DateField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    asked_revision = models.PositiveIntegerField(default=0)
    answer = multiline_text(NOTE_MAX_CHARS, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "-asked_at", "-pk"]

    def __str__(self) -> str:
        return f"RFI {self.pk} on {self.proposal_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def asked_by_agency(self) -> str:
        """Who asked, as the consortium sees it: the agency, the party of record (reviewers change)."""
        agency = AGENCIES.get(getattr(self.asked_by, "agency", "") or "commerce") or AGENCIES["commerce"]
        return agency.name

    @property
    def days_left(self) -> int:
        return rfi_days_left(due_date=self.due_date, today=timezone.localdate())

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


class CommerceReview(models.Model):
    """Commerce's track on one proposal: the assigned reviewer, what the workers did, the clock."""

    proposal = models.OneToOneField("Proposal", on_delete=models.CASCADE, related_name="commerce_review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commerce_reviews",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    screening_list_version = models.ForeignKey(
        ScreeningListVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The names the last screening covered (members, their parents, parties): Commerce clearance holds
    # while the proposal names anyone not among them (commerce.selectors.commerce_clearance).
    screened_names = models.JSONField(default=list, blank=True)
    # The revision the last screening read: a resubmitted revision is not cleared until screened again.
    screened_revision = models.PositiveIntegerField(null=True, blank=True)
    # The fuzzy threshold the last screening used: a delta re-screen carries matches over only at the
    # same threshold.
    screened_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    # A Commerce reviewer (or a member change) asked for screening again; cleared by the screening that
    # follows. The sweeper re-sends the work while it stays set (the request's message may be lost).
    screening_requested_at = models.DateTimeField(null=True, blank=True)
    licenses_determined_at = models.DateTimeField(null=True, blank=True)
    # The revision the last determination read: a resubmitted revision is not cleared until determined.
    licenses_revision = models.PositiveIntegerField(null=True, blank=True)
    policy_version = models.ForeignKey(
        LicensingPolicyVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The clock (EO 12981), refreshed by workers and beat from the audit trail; stored so the queue sorts.
    registered_at = models.DateTimeField(null=True, blank=True)
    clock_days = models.PositiveIntegerField(default=0)
    clock_paused = models.BooleanField(default=False)
    clock_flag = models.CharField(
        max_length=16, choices=ReviewClockFlag.choices, default=ReviewClockFlag.ON_TRACK
    )
    clock_next_mark = models.CharField(max_length=40, blank=True)
    clock_days_to_mark = models.IntegerField(null=True, blank=True)
    clock_checked_at = models.DateTimeField(null=True, blank=True)
    # Designated a priority AI export package (proposals.evaluation): sorts first in the queue.
    priority = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["reviewer"], name="commerce_review_reviewer"),
            # The Commerce queue's default sort (designated packages, then oldest clock first), read
            # for a page's rows only.
            models.Index(fields=["-priority", "-clock_days", "proposal"], name="commerce_review_clock"),
        ]

    def __str__(self) -> str:
        return f"Commerce review of {self.proposal_id}"
