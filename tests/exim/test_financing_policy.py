"""EXIM financing rules (DOMAIN.md defaults), as pure functions."""

from decimal import Decimal

from proposals.core.enums import ExportSector
from proposals.exim.policy import financing as fin

AI = fin.FinancingRules(package_sector=ExportSector.AI)
OTHER = fin.FinancingRules(package_sector=ExportSector.OTHER)


def test_cash_payment_is_15_percent_of_contract_domain_example():
    rules = fin.FinancingRules()
    assert fin.minimum_cash_payment(contract_price=Decimal("80000000"), rules=rules) == Decimal("12000000.00")


def test_eligible_financed_amount_is_lesser_of_85_percent_and_us_content_outside_transformational_sectors():
    rules = fin.FinancingRules(package_sector=ExportSector.OTHER)
    assert fin.eligible_financed_amount(
        contract_price=Decimal("80000000"), us_content=Decimal("80000000"), rules=rules
    ) == Decimal("68000000.00")
    assert fin.eligible_financed_amount(
        contract_price=Decimal("80000000"), us_content=Decimal("50000000"), rules=rules
    ) == Decimal("50000000.00")


def rule(contract: str, us: str, rules: fin.FinancingRules = AI) -> fin.ContentRuling:
    return fin.content_rule(contract_price=Decimal(contract), us_content=Decimal(us), rules=rules)


def test_content_rule_transformational_at_or_above_51_percent_supports_85_percent_not_capped_at_us_content():
    ruling = rule("50000000", "35000000")  # $50M AI package, 70% US content
    assert ruling.full_support is True
    assert ruling.eligible_financed == Decimal("42500000.00")
    assert ruling.cash_payment == Decimal("7500000.00")
    assert ruling.jobs_plan_required is False


def test_content_rule_standard_outside_transformational_sectors_caps_at_us_content():
    ruling = rule("50000000", "35000000", OTHER)
    assert (ruling.transformational, ruling.full_support) == (False, False)
    assert ruling.eligible_financed == Decimal("35000000.00")
    assert ruling.cash_payment == Decimal("15000000.00")
    assert ruling.jobs_plan_required is False


def test_content_rule_transformational_at_exactly_51_percent_gets_full_support():
    ruling = rule("100000000", "51000000")
    assert ruling.full_support is True
    assert ruling.eligible_financed == Decimal("85000000.00")
    assert ruling.jobs_plan_required is False


def test_content_rule_transformational_at_50_99_percent_uses_standard_rule_and_needs_jobs_plan():
    ruling = rule("100000000", "50990000")
    assert ruling.full_support is False
    assert ruling.eligible_financed == Decimal("50990000.00")
    assert ruling.us_content_share == Decimal("0.5099")
    assert ruling.jobs_plan_required is True


def test_content_rule_threshold_is_compared_exactly_not_after_rounding():
    ruling = rule("100000000", "50999999.99")  # 50.99999999%: displays as 50.99%, is below 51%
    assert ruling.full_support is False
    assert ruling.us_content_share == Decimal("0.5099")
    assert ruling.jobs_plan_required is True


def test_content_rule_thresholds_come_from_the_rules():
    rules = fin.FinancingRules(
        transformational_content_min=Decimal("0.75"), financed_share_max=Decimal("0.80")
    )
    assert rule("50000000", "35000000", rules).eligible_financed == Decimal("35000000.00")  # 70% < 75%
    assert rule("50000000", "40000000", rules).eligible_financed == Decimal("40000000.00")  # 80% of 50M
    assert rule("50000000", "40000000", rules).full_support is True


def test_content_rule_each_transformational_sector_counts():
    for sector in (ExportSector.AI, ExportSector.SEMICONDUCTORS, ExportSector.HPC):
        assert rule("50000000", "35000000", fin.FinancingRules(package_sector=sector)).full_support is True
