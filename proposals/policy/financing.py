"""EXIM financing rules: cash payment, financed amount, term class, products and tenor limits.

Pure functions over plain values; the numbers come in a FinancingRules built from ProgramSettings.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from proposals.enums import EximProduct, OecdCategory

CENT = Decimal("0.01")


class TermClass(StrEnum):
    MEDIUM = "medium"
    LONG = "long"


# Which EXIM products each term class allows (DOMAIN.md: insurance or guarantee for medium-term;
# direct loan or guarantee for long-term).
PRODUCTS_BY_TERM: dict[TermClass, frozenset[str]] = {
    TermClass.MEDIUM: frozenset({EximProduct.EXPORT_CREDIT_INSURANCE, EximProduct.LOAN_GUARANTEE}),
    TermClass.LONG: frozenset({EximProduct.DIRECT_LOAN, EximProduct.LOAN_GUARANTEE}),
}


@dataclass(frozen=True)
class FinancingRules:
    cash_payment_min: Decimal = Decimal("0.15")
    financed_share_max: Decimal = Decimal("0.85")
    local_costs_max_category_i: Decimal = Decimal("0.40")
    local_costs_max_category_ii: Decimal = Decimal("0.50")
    transformational_content_min: Decimal = Decimal("0.51")
    medium_term_max_amount: Decimal = Decimal("10000000")
    medium_term_max_tenor_years: Decimal = Decimal("7")
    long_term_max_tenor_years: Decimal = Decimal("12")
    max_tenor_category_i_years: Decimal = Decimal("5")
    max_tenor_category_i_with_notice_years: Decimal = Decimal("8.5")
    max_tenor_category_ii_years: Decimal = Decimal("10")

    @classmethod
    def from_program(cls, program: object) -> "FinancingRules":
        """Build the rules from a ProgramSettings row (any object with the same attribute names)."""
        return cls(**{name: getattr(program, name) for name in cls.__dataclass_fields__})


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def eligible_financed_amount(
    *, contract_price: Decimal, us_content: Decimal, rules: FinancingRules
) -> Decimal:
    """The most EXIM supports on the export contract: the lesser of 85% of it and 100% of US content.

    Worked example (DOMAIN.md): a $80M contract with all-US content -> $68M financed, $12M cash.
    """
    return money(min(contract_price * rules.financed_share_max, us_content))


def minimum_cash_payment(*, contract_price: Decimal, rules: FinancingRules) -> Decimal:
    return money(contract_price * rules.cash_payment_min)


def local_costs_cap(*, contract_price: Decimal, category: str, rules: FinancingRules) -> Decimal:
    share = (
        rules.local_costs_max_category_i
        if category == OecdCategory.CATEGORY_I
        else rules.local_costs_max_category_ii
    )
    return money(contract_price * share)


def term_class(*, amount: Decimal, tenor_years: Decimal, rules: FinancingRules) -> TermClass:
    """Medium-term up to the amount limit and tenor limit; over either is long-term."""
    if amount > rules.medium_term_max_amount or tenor_years > rules.medium_term_max_tenor_years:
        return TermClass.LONG
    return TermClass.MEDIUM


def max_tenor_for_category(*, category: str, rules: FinancingRules) -> tuple[Decimal, Decimal]:
    """(standard maximum, maximum with notice) repayment years for an OECD category."""
    if category == OecdCategory.CATEGORY_I:
        return rules.max_tenor_category_i_years, rules.max_tenor_category_i_with_notice_years
    return rules.max_tenor_category_ii_years, rules.max_tenor_category_ii_years
