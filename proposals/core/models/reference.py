"""Reference data staff can edit: countries with their EAR country groups, and the program's numbers."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from proposals.core.enums import ExportSector, OecdCategory


class CountryGroup(models.Model):
    """An EAR country group (15 CFR 740 Supplement 1), such as A:5 or D:1."""

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Country(models.Model):
    code = models.CharField("ISO 3166-1 alpha-2", max_length=2, primary_key=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=60, blank=True)
    groups = models.ManyToManyField(CountryGroup, related_name="countries", blank=True)
    oecd_category = models.CharField(
        max_length=2, choices=OecdCategory.choices, default=OecdCategory.CATEGORY_II
    )
    risk_class = models.PositiveSmallIntegerField(
        "OECD country-risk class", null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    is_country_of_concern = models.BooleanField(default=False)
    # EXIM Country Limitation Schedule: is cover available for this term?
    exim_cover_short_term = models.BooleanField(default=True)
    exim_cover_medium_term = models.BooleanField(default=True)
    exim_cover_long_term = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name


def default_stage_benchmarks() -> dict[str, dict[str, int]]:
    """Days a deal is expected to spend in each stage, per deal type (term class). Staff edit these."""
    medium = {
        "letter_of_interest": 30,
        "application_received": 10,
        "due_diligence": 45,
        "preliminary_commitment": 30,
        "credit_committee": 14,
        "board": 30,
        "congressional_notification": 35,
        "final_commitment": 30,
        "documentation_closing": 45,
        "disbursing": 365,
    }
    return {"medium": medium, "long": {**medium, "due_diligence": 90, "documentation_closing": 90}}


class ProgramSettings(models.Model):
    """The program's editable numbers (DOMAIN.md). One row; `ProgramSettings.current()` reads it."""

    hardware_us_content_min = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.51"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Minimum US-origin share of the hardware layers' value (0.51 = 51%).",
    )
    cash_payment_min = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.15"))
    financed_share_max = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.85"))
    local_costs_max_category_i = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.40"))
    local_costs_max_category_ii = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.50"))
    transformational_content_min = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.51")
    )
    medium_term_max_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("10000000"))
    medium_term_max_tenor_years = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("7"))
    long_term_max_tenor_years = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("12"))
    max_tenor_category_i_years = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("5"))
    max_tenor_category_i_with_notice_years = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("8.5")
    )
    max_tenor_category_ii_years = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("10"))
    board_approval_threshold = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("10000000")
    )
    congressional_threshold = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("100000000")
    )
    congressional_notification_days = models.PositiveIntegerField(default=35)
    statutory_ceiling = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("135000000000"))
    outstanding_exposure = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("34100000000")
    )
    what_if_ceiling = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("205000000000"))
    package_sector = models.CharField(
        max_length=20,
        choices=ExportSector.choices,
        default=ExportSector.AI,
        help_text="The sector of the program's packages, for EXIM's content rule. AI, semiconductors and "
        "high-performance computing are transformational sectors: at or above the transformational "
        "threshold of US content EXIM supports the full financed share of the contract price.",
    )
    deal_stage_benchmark_days = models.JSONField(
        default=default_stage_benchmarks,
        help_text='Benchmark days per deal stage, per deal type: {"medium": {"due_diligence": 45, ...}, '
        '"long": {...}}. A stage without a number has no benchmark.',
    )

    class Meta:
        verbose_name = "program settings"
        verbose_name_plural = "program settings"

    def __str__(self) -> str:
        return "Program settings"

    @classmethod
    def current(cls) -> "ProgramSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()
