"""Reference data staff can edit: countries with their EAR country groups, and the program's numbers."""

from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from proposals.core.enums import DEAL_END_STAGES, DealStage, ExportSector, OecdCategory
from proposals.core.models.versioned import Versioned
from proposals.exim.policy.financing import TermClass, pct, usd_words


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


def validate_share(value: Decimal) -> None:
    """A share of a whole: from 0% to 100% (stored as 0 to 1)."""
    if value is not None and not Decimal(0) <= value <= Decimal(1):
        raise ValidationError(
            f"Enter a percentage from 0% to 100% (you entered {pct(value)}).", code="share_out_of_range"
        )


def validate_positive(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise ValidationError("Enter an amount above zero.", code="not_positive")


def validate_not_negative(value: Decimal) -> None:
    if value is not None and value < 0:
        raise ValidationError("Enter zero or more.", code="negative")


def validate_positive_days(value: int) -> None:
    if value is not None and value < 1:
        raise ValidationError("Enter a whole number of days, 1 or more.", code="not_positive_days")


def stage_benchmark_refusals(benchmarks: Any) -> list[str]:
    """Why the stage benchmarks cannot be used: each must be a positive whole number of days for a
    known deal type and a stage a deal waits in (a deal's end stages have no benchmark)."""
    shape = 'Enter benchmarks as {"medium": {"due_diligence": 45, ...}, "long": {...}}.'
    if not isinstance(benchmarks, dict):
        return [shape]
    refusals: list[str] = []
    stages_with_benchmark = [s.value for s in DealStage if s not in DEAL_END_STAGES]
    for term, stages in benchmarks.items():
        if term not in TermClass._value2member_map_:
            refusals.append(f'"{term}" is not a deal type: use "medium" or "long".')
            continue
        if not isinstance(stages, dict):
            refusals.append(f"{term}: {shape}")
            continue
        for stage, days in stages.items():
            if stage not in stages_with_benchmark:
                refusals.append(
                    f'{term}: "{stage}" is not a stage with a benchmark ({", ".join(stages_with_benchmark)}).'
                )
            elif isinstance(days, bool) or not isinstance(days, int) or days < 1:
                refusals.append(f"{term}, {stage}: {days!r} is not a whole number of days, 1 or more.")
    return refusals


def _share(default: str, verbose_name: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=3,
        default=Decimal(default),
        validators=[validate_share],
        help_text=help_text,
    )


def _dollars(default: str, verbose_name: str, help_text: str, *, digits: int = 16) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=digits,
        decimal_places=2,
        default=Decimal(default),
        validators=[validate_positive],
        help_text=help_text,
    )


def _years(default: str, verbose_name: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=1,
        default=Decimal(default),
        validators=[validate_positive],
        help_text=help_text,
    )


class ProgramSettings(Versioned):
    """The program's editable numbers (DOMAIN.md). One row; `ProgramSettings.current()` reads it.

    `clean()` refuses numbers that contradict each other or EXIM's book (each refusal names its field);
    the admin is the one place they are edited, and it records who changed what and why.
    """

    hardware_us_content_min = _share(
        "0.51",
        "hardware US content, at least",
        "The program presumes US content when the hardware layers are at least this share US-origin.",
    )
    cash_payment_min = _share(
        "0.15",
        "cash payment, at least",
        "The buyer pays at least this share of the net contract price in cash.",
    )
    financed_share_max = _share(
        "0.85",
        "financed share, at most",
        "EXIM supports at most this share of the net contract price; with the cash payment it cannot "
        "exceed 100%.",
    )
    local_costs_max_category_i = _share(
        "0.40",
        "local costs cap, OECD Category I",
        "Local costs EXIM may add, as a share of the contract price, in high-income OECD markets.",
    )
    local_costs_max_category_ii = _share(
        "0.50",
        "local costs cap, OECD Category II",
        "Local costs EXIM may add, as a share of the contract price, in all other markets.",
    )
    transformational_content_min = _share(
        "0.51",
        "transformational-sector US content threshold",
        "At or above this US content a transformational-sector package gets the full financed share of the "
        "contract price; below it, the lesser of that share and the US content, and a US jobs plan.",
    )
    medium_term_max_amount = _dollars(
        "10000000",
        "medium-term limit",
        "Deals up to this amount (and tenor) are medium-term; above it, long-term. At most the board "
        "approval threshold.",
    )
    medium_term_max_tenor_years = _years(
        "7", "medium-term tenor, at most (years)", "Over this tenor a deal is long-term."
    )
    long_term_max_tenor_years = _years(
        "12", "long-term tenor, at most (years)", "At least the medium-term tenor."
    )
    max_tenor_category_i_years = _years(
        "5", "OECD Category I tenor (years)", "Standard maximum repayment in high-income OECD markets."
    )
    max_tenor_category_i_with_notice_years = _years(
        "8.5",
        "OECD Category I tenor with notice (years)",
        "Maximum repayment there with prior notice to the OECD; at least the standard maximum.",
    )
    max_tenor_category_ii_years = _years(
        "10", "OECD Category II tenor (years)", "Maximum repayment in all other markets."
    )
    board_approval_threshold = _dollars(
        "10000000",
        "board approval threshold",
        "Deals above this amount need EXIM board approval. Between the medium-term limit and the "
        "congressional threshold.",
    )
    congressional_threshold = _dollars(
        "100000000",
        "congressional threshold",
        "Deals of this amount or more are notified to Congress before final commitment. At least the "
        "board approval threshold.",
    )
    congressional_notification_days = models.PositiveIntegerField(
        "congressional notification (days)",
        default=35,
        validators=[validate_positive_days],
        help_text="Days of continuous session Congress has before final commitment.",
    )
    statutory_ceiling = _dollars(
        "135000000000",
        "statutory exposure ceiling",
        "EXIM's lending ceiling; it cannot be set below the exposure outstanding plus this program's "
        "authorized deals.",
        digits=18,
    )
    outstanding_exposure = models.DecimalField(
        "exposure outstanding",
        max_digits=18,
        decimal_places=2,
        default=Decimal("34100000000"),
        validators=[validate_not_negative],
        help_text="EXIM's exposure outside this program's deals; the program's authorized deals add to it.",
    )
    what_if_ceiling = _dollars(
        "205000000000",
        "what-if ceiling",
        "The ceiling a reauthorization would set, for planning; like the statutory ceiling, not below "
        "the exposure outstanding.",
        digits=18,
    )
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
        '"long": {...}}. Whole days, 1 or more. A stage without a number has no benchmark.',
    )
    final_commitment_requires_designation = models.BooleanField(
        "final commitment requires designation",
        default=True,
        help_text="EXIM may authorize final commitment only for a package designated a priority AI export "
        "package by the national-interest determination.",
    )

    class Meta:
        verbose_name = "program settings"
        verbose_name_plural = "program settings"

    def __str__(self) -> str:
        return "Program settings"

    def clean(self) -> None:
        """Refuse numbers that contradict each other or EXIM's book, each refusal on its field."""
        errors: dict[str, list[str]] = {}
        for name, message in self._refusals():
            errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)

    def _refusals(self) -> list[tuple[str, str]]:
        # Only usable numbers are compared; each field's own validators report the rest.
        value = {
            f.name: getattr(self, f.name)
            for f in self._meta.concrete_fields
            if isinstance(getattr(self, f.name), Decimal | int) and getattr(self, f.name) >= 0
        }
        refusals: list[tuple[str, str]] = []
        cash, financed = value.get("cash_payment_min"), value.get("financed_share_max")
        if cash is not None and financed is not None and max(cash, financed) <= 1 < financed + cash:
            refusals.append(
                (
                    "financed_share_max",
                    f"The financed share ({pct(financed)}) and the minimum cash payment ({pct(cash)}) add up "
                    "to more than 100% of the contract price.",
                )
            )
        for chain in ORDERED_SETTINGS:
            for (low_name, low_label), (high_name, high_label) in pairwise(chain):
                low, high = value.get(low_name), value.get(high_name)
                if low and high and high < low:
                    show = usd_words if low_name in DOLLAR_SETTINGS else _years
                    refusals.append(
                        (
                            high_name,
                            f"{high_label[0].upper()}{high_label[1:]} ({show(high)}) must be at least "
                            f"{low_label} ({show(low)}).",
                        )
                    )
        outstanding = value.get("outstanding_exposure")
        if outstanding is not None:
            committed = _committed_exposure()
            exposure = outstanding + committed
            for name in ("statutory_ceiling", "what_if_ceiling"):
                ceiling = value.get(name)
                if ceiling and ceiling < exposure:
                    refusals.append(
                        (
                            name,
                            f"The {self._meta.get_field(name).verbose_name} ({usd_words(ceiling)}) cannot be "
                            f"below the exposure outstanding: {usd_words(outstanding)} plus "
                            f"{usd_words(committed)} committed by this program's authorized deals is "
                            f"{usd_words(exposure)}.",
                        )
                    )
        refusals += [
            ("deal_stage_benchmark_days", message)
            for message in stage_benchmark_refusals(self.deal_stage_benchmark_days)
        ]
        return refusals

    @classmethod
    def current(cls) -> "ProgramSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()


# Settings that must not decrease along each chain (the later one is refused): amounts by approval
# route (DOMAIN.md: medium-term limit <= board threshold <= congressional threshold) and tenors.
ORDERED_SETTINGS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("medium_term_max_amount", "the medium-term limit"),
        ("board_approval_threshold", "the board approval threshold"),
        ("congressional_threshold", "the congressional threshold"),
    ),
    (
        ("medium_term_max_tenor_years", "the medium-term tenor"),
        ("long_term_max_tenor_years", "the long-term tenor"),
    ),
    (
        ("max_tenor_category_i_years", "the Category I standard tenor"),
        ("max_tenor_category_i_with_notice_years", "the Category I tenor with notice"),
    ),
)
DOLLAR_SETTINGS = frozenset({"medium_term_max_amount", "board_approval_threshold", "congressional_threshold"})


def _years(value: Decimal) -> str:
    return f"{value.normalize():f} years"


def _committed_exposure() -> Decimal:
    """This program's authorized deals, counted against the ceiling as the EXIM track counts them."""
    # Through the app registry: core models import no area's models.
    return apps.get_model("proposals", "Deal").objects.committed_exposure()
