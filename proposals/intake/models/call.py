"""Calls for proposals and their versioned evaluation rubrics.

A call is what a proposal answers: its window, the layers and documents it requires, who is eligible,
and the rubric its evaluators score against. Windows and weights are decided in
`proposals.intake.policy.calls`; these models only hold the data.

Window: a call accepts proposals from `opens_on`. A call that is not rolling stops on `closes_on`
(inclusive). A rolling call keeps accepting after `closes_on`: the close date is then the date by
which proposals are due for the first round, and later ones are considered as they come.

Eligibility (`Call.eligibility`, every key optional; a missing key means the program settings apply):
    {"excluded_countries": ["CN", "HK", "MO"],   # ISO codes no member may be tied to
     "min_hardware_us_content": "0.51"}          # share (0-1) as a decimal string

Rubrics are versioned: a published rubric is never edited; a change is a new version (draft), which
becomes current when published. Criteria weights of a published rubric sum to 100.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from proposals.core.enums import DocumentCategory, Layer
from proposals.core.models.text import multiline_text, one_line_text
from proposals.core.models.versioned import Versioned
from proposals.core.policy.text import NAME_MAX_CHARS, NOTE_MAX_CHARS
from proposals.intake.policy.calls import call_window_text


def all_layers() -> list[str]:
    """Every layer of the full stack: the default requirement of a call."""
    return [layer.value for layer in Layer]


def default_document_categories() -> list[str]:
    """The documents the program has always required: the security plan and financial statements."""
    return [DocumentCategory.SECURITY_PLAN.value, DocumentCategory.FINANCIAL.value]


class Call(Versioned):
    name = one_line_text(NAME_MAX_CHARS)
    slug = models.SlugField(max_length=80, unique=True)
    federal_register_citation = one_line_text(100, blank=True, help_text='For example "FR 2026-06952".')
    opens_on = models.DateField()
    closes_on = models.DateField(
        null=True,
        blank=True,
        help_text="Last day proposals are accepted (due date of the first round when rolling).",
    )
    rolling = models.BooleanField(
        default=False,
        help_text="Considered on a rolling basis: proposals are still accepted after the close date.",
    )
    required_layers = models.JSONField(default=all_layers, blank=True, help_text="Layer values.")
    required_document_categories = models.JSONField(
        default=default_document_categories, blank=True, help_text="Document category values."
    )
    eligibility = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"excluded_countries": ["CN", "HK", "MO"], "min_hardware_us_content": "0.51"}; '
        "a missing key means the program settings apply.",
    )
    public_summary = multiline_text(NOTE_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def window_text(self) -> str:
        """When the call accepts proposals, as a sentence (policy.calls.call_window_text)."""
        return call_window_text(self)

    @property
    def current_rubric(self) -> "Rubric | None":
        """The highest published rubric version, or None while only drafts exist."""
        return self.rubrics.filter(published_at__isnull=False).order_by("-version").first()


class Rubric(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="rubrics")
    version = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty while a draft.")
    notes = multiline_text(NOTE_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["call", "version"], name="rubric_version_unique_per_call"),
        ]

    def __str__(self) -> str:
        return f"{self.call} rubric v{self.version}{'' if self.is_published else ' (draft)'}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Criterion(Versioned):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=60)
    title = one_line_text(NAME_MAX_CHARS)
    description = multiline_text(NOTE_MAX_CHARS, blank=True)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of the total, 0-100; the weights of a published rubric sum to 100.",
    )
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="criterion_code_unique_per_rubric"),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.weight})"
