"""The EXIM deal: one per proposal in review, its stage, target dates and computed terms.

Its stage history is the AuditEvent trail (subject="deal"); only `services.exim.deal_transition`
assigns `stage`, and only `services.exim.deal_set_target_date` changes a target date.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone

from proposals.core.enums import (
    DEAL_COMMITTED_STAGES,
    DEAL_END_STAGES,
    DEAL_STAGE_ORDER,
    DealStage,
    EximProduct,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


def stage_order_expression() -> models.Case:
    """DEAL_STAGE_ORDER as SQL: the stored `Deal.stage_order` is computed from it, so there is one rule.

    Reordering or adding a stage changes this expression, and `makemigrations --check` then asks for
    the migration that recomputes the column.
    """
    return models.Case(
        *(
            models.When(stage=str(stage), then=models.Value(order))
            for stage, order in DEAL_STAGE_ORDER.items()
        ),
        default=models.Value(len(DEAL_STAGE_ORDER)),
        output_field=models.SmallIntegerField(),
    )


# The target dates an officer may set, each changed only with a recorded reason.
TARGET_DATE_FIELDS = {
    "target_final_commitment_on": "Target final commitment date",
    "target_closing_on": "Target closing date",
}


class DealQuerySet(models.QuerySet):
    def committed_exposure(self) -> Decimal:
        """The sum of the authorized deals (final commitment onwards): they count against EXIM's ceiling."""
        total = self.filter(stage__in=DEAL_COMMITTED_STAGES).aggregate(total=models.Sum("amount"))["total"]
        return total or Decimal("0")


class Deal(models.Model):
    proposal = models.OneToOneField("Proposal", on_delete=models.PROTECT, related_name="deal")
    stage = models.CharField(max_length=32, choices=DealStage.choices, default=DealStage.APPLICATION_RECEIVED)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    # The pipeline sorts by stage order, then time in stage: stored (computed by the database from
    # `stage`), so the index `deal_pipeline_order` serves that sort instead of a CASE over every deal.
    stage_order = models.GeneratedField(
        expression=stage_order_expression(),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    # The request as last submitted (copied from the frozen revision, so lists filter without joins).
    amount = models.DecimalField("EXIM amount (USD)", **MONEY, default=Decimal("0"))
    product = models.CharField(max_length=32, choices=EximProduct.choices, blank=True)
    tenor_years = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    destination = models.ForeignKey(
        "Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The primary destination (first target country); its region groups the pipeline.",
    )
    terms = models.JSONField(default=dict, blank=True, help_text="Computed by exim_compute_terms.")
    terms_revision = models.PositiveIntegerField(default=0, help_text="Proposal revision the terms are from.")
    terms_computed_at = models.DateTimeField(null=True, blank=True)
    notification_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="End of the congressional notification period, set on entering it."
    )
    target_final_commitment_on = models.DateField(null=True, blank=True)
    target_closing_on = models.DateField(null=True, blank=True)
    # Designated a priority AI export package (proposals.evaluation): sorts first in the pipeline.
    priority = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["stage", "stage_entered_at"], name="deal_stage_age"),
            models.Index(fields=["stage", "notification_ends_at"], name="deal_notification_due"),
            models.Index(
                fields=["-priority", "stage_order", "stage_entered_at", "id"], name="deal_pipeline_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Deal {self.pk}: {self.proposal}"

    def get_absolute_url(self) -> str:
        return reverse("exim-deal", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.stage in DEAL_END_STAGES

    @property
    def is_committed(self) -> bool:
        return self.stage in DEAL_COMMITTED_STAGES

    @property
    def term_class(self) -> str:
        return self.terms.get("term_class", "") if self.terms else ""

    def days_in_stage(self, now: object = None) -> int:
        return ((now or timezone.now()) - self.stage_entered_at) // timedelta(days=1)

    def benchmark_days(self, benchmarks: dict[str, dict[str, int]]) -> int | None:
        """This stage's benchmark for this deal's type (long-term when the terms are not yet known)."""
        return (benchmarks.get(self.term_class or "long") or {}).get(self.stage)
