"""EXIM financing rules (DOMAIN.md defaults), as pure functions."""

from decimal import Decimal

from proposals.policy import financing as fin


def test_cash_payment_is_15_percent_of_contract_domain_example():
    rules = fin.FinancingRules()
    assert fin.minimum_cash_payment(contract_price=Decimal("80000000"), rules=rules) == Decimal("12000000.00")


def test_eligible_financed_amount_is_lesser_of_85_percent_and_us_content():
    rules = fin.FinancingRules()
    assert fin.eligible_financed_amount(
        contract_price=Decimal("80000000"), us_content=Decimal("80000000"), rules=rules
    ) == Decimal("68000000.00")
    assert fin.eligible_financed_amount(
        contract_price=Decimal("80000000"), us_content=Decimal("50000000"), rules=rules
    ) == Decimal("50000000.00")
