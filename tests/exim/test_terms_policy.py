"""EXIM terms as pure functions: the worked example, the 51% rule, tenor by OECD category, cover."""

from decimal import Decimal

import pytest

from proposals.core.enums import DocumentCategory, EximProduct, ExportSector, OecdCategory
from proposals.exim.policy import financing as fin

RULES = fin.FinancingRules()
NOT_TRANSFORMATIONAL = fin.FinancingRules(package_sector=ExportSector.OTHER)
UAE = fin.Destination(code="AE", name="United Arab Emirates", oecd_category=OecdCategory.CATEGORY_II)
GERMANY = fin.Destination(code="DE", name="Germany", oecd_category=OecdCategory.CATEGORY_I)
UKRAINE = fin.Destination(code="UA", name="Ukraine", cover_medium_term=False, cover_long_term=False)


def terms(
    *,
    contract: str = "80000000",
    us: str = "80000000",
    amount: str = "68000000",
    tenor: str = "10",
    product: str = EximProduct.DIRECT_LOAN,
    local: str = "0",
    destinations: list[fin.Destination] | None = None,
    rules: fin.FinancingRules = RULES,
    documents: frozenset[str] = frozenset(),
) -> fin.Terms:
    return fin.compute_terms(
        lines=[(Decimal(contract), Decimal(us))],
        local_costs=Decimal(local),
        amount_requested=Decimal(amount),
        product=product,
        tenor_years=Decimal(tenor),
        destinations=destinations or [UAE],
        rules=rules,
        document_categories=documents,
    )


def codes(t: fin.Terms) -> dict[str, str]:
    return {f.code: f.status for f in t.findings}


def test_terms_worked_example_80m_contract_12m_cash_68m_financed():
    t = terms()
    assert t.net_contract_price == Decimal("80000000.00")
    assert t.cash_payment_min == Decimal("12000000.00")
    assert t.cash_payment == Decimal("12000000.00")
    assert t.eligible_financed == Decimal("68000000.00")
    assert t.financed_amount == Decimal("68000000.00")
    assert t.term_class == "long"
    assert t.blocking == []


def test_terms_financed_amount_limited_by_us_content_when_lower_outside_transformational_sectors():
    t = terms(us="50000000", amount="50000000", rules=NOT_TRANSFORMATIONAL)
    assert t.eligible_financed == Decimal("50000000.00")
    assert t.cash_payment == Decimal("30000000.00")
    assert "limited by 100% of the US content" in next(
        f.message for f in t.findings if f.code == "ELIGIBLE_FINANCED"
    )


def test_terms_local_costs_add_up_to_40_percent_in_category_i():
    t = terms(local="40000000", amount="100000000", tenor="5", destinations=[GERMANY])
    assert t.local_costs_cap == Decimal("32000000.00")
    assert t.local_costs_financed == Decimal("32000000.00")
    assert t.financed_amount == Decimal("100000000.00")
    assert codes(t)["LOCAL_COSTS_ABOVE_CAP"] == fin.Status.ATTENTION


def test_terms_local_costs_add_up_to_50_percent_in_category_ii():
    t = terms(local="40000000", amount="108000000")
    assert t.local_costs_cap == Decimal("40000000.00")
    assert t.financed_amount == Decimal("108000000.00")
    assert codes(t)["LOCAL_COSTS"] == fin.Status.OK


def test_terms_amount_above_financed_max_is_blocking():
    t = terms(amount="68000000.01")
    assert codes(t)["AMOUNT_ABOVE_FINANCED_MAX"] == fin.Status.BLOCKING


def test_terms_content_rule_transformational_50m_ai_package_70_percent_us_finances_42_5m():
    t = terms(contract="50000000", us="35000000", amount="42500000")
    assert t.transformational is True
    assert (t.eligible_financed, t.cash_payment) == (Decimal("42500000.00"), Decimal("7500000.00"))
    assert codes(t)["CONTENT_FULL_SUPPORT"] == fin.Status.OK
    assert next(f.message for f in t.findings if f.code == "ELIGIBLE_FINANCED") == (
        "US content is 70% of the $50,000,000.00 net contract price, at or above the 51% threshold for a "
        "transformational-sector package: EXIM supports up to 85% of the contract price, not capped at the "
        "US content: $42,500,000.00."
    )
    assert t.blocking == []


def test_terms_content_rule_standard_same_package_outside_transformational_sectors_finances_35m():
    t = terms(contract="50000000", us="35000000", amount="35000000", rules=NOT_TRANSFORMATIONAL)
    assert t.transformational is False
    assert (t.eligible_financed, t.cash_payment) == (Decimal("35000000.00"), Decimal("15000000.00"))
    assert codes(t)["CONTENT_STANDARD"] == fin.Status.OK
    assert (
        codes(terms(contract="50000000", us="35000000", amount="35000000.01", rules=NOT_TRANSFORMATIONAL))[
            "AMOUNT_ABOVE_FINANCED_MAX"
        ]
        == fin.Status.BLOCKING
    )


def test_terms_content_below_51_percent_without_jobs_plan_is_blocking():
    t = terms(us="40792000", amount="40792000")  # 50.99%
    assert t.us_content_share == Decimal("0.5099")
    assert t.eligible_financed == Decimal("40792000.00")
    finding = next(f for f in t.findings if f.code == "CONTENT_BELOW_TRANSFORMATIONAL_MIN")
    assert finding.status == fin.Status.ATTENTION
    assert finding.message == (
        "US content is 50.99%, below the 51% transformational-sector threshold: the standard rule applies "
        "and a US jobs plan is required."
    )
    assert [f.code for f in t.blocking] == ["US_JOBS_PLAN_MISSING"]


def test_terms_content_below_51_percent_with_jobs_plan_attached_needs_attention_only():
    t = terms(us="40792000", amount="40792000", documents=frozenset({DocumentCategory.US_JOBS_PLAN}))
    assert codes(t)["US_JOBS_PLAN_ATTACHED"] == fin.Status.ATTENTION
    assert t.blocking == []


def test_terms_content_at_51_percent_gets_full_support():
    t = terms(us="40800000", amount="68000000")
    assert t.us_content_share == Decimal("0.5100")
    assert t.eligible_financed == Decimal("68000000.00")
    assert codes(t)["CONTENT_FULL_SUPPORT"] == fin.Status.OK
    assert t.blocking == []


def test_terms_non_transformational_package_uses_standard_content_rule():
    t = terms(us="30000000", amount="30000000", rules=NOT_TRANSFORMATIONAL)
    assert t.transformational is False
    assert codes(t)["CONTENT_STANDARD"] == fin.Status.OK
    assert "US_JOBS_PLAN_MISSING" not in codes(t)


def test_terms_tenor_beyond_category_i_maximum_is_blocking():
    t = terms(tenor="10", destinations=[GERMANY])
    assert t.oecd_category == "I"
    assert (t.max_tenor_years, t.max_tenor_with_notice_years) == (Decimal("5"), Decimal("8.5"))
    finding = next(f for f in t.findings if f.code == "TENOR_ABOVE_MAXIMUM")
    assert finding.status == fin.Status.BLOCKING
    assert finding.message == (
        "A 10-year tenor exceeds the 8.5-year maximum for a long-term deal in an OECD Category I market."
    )


def test_terms_tenor_between_standard_and_notice_in_category_i_needs_notice():
    t = terms(tenor="7", destinations=[GERMANY])
    assert codes(t)["TENOR_NEEDS_NOTICE"] == fin.Status.ATTENTION
    assert t.blocking == []


def test_terms_tenor_of_10_years_is_within_category_ii_maximum():
    assert codes(terms(tenor="10"))["TENOR_WITHIN_MAXIMUM"] == fin.Status.OK


def test_terms_strictest_category_decides_with_several_destinations():
    assert terms(tenor="10", destinations=[UAE, GERMANY]).oecd_category == "I"


def test_terms_medium_term_allows_insurance_long_term_does_not():
    medium = terms(
        contract="10000000",
        us="10000000",
        amount="8500000",
        tenor="5",
        product=EximProduct.EXPORT_CREDIT_INSURANCE,
    )
    assert medium.term_class == "medium"
    assert medium.products_allowed == ("export_credit_insurance", "loan_guarantee")
    assert codes(medium)["PRODUCT_FOR_TERM"] == fin.Status.OK
    long = terms(product=EximProduct.EXPORT_CREDIT_INSURANCE)
    assert long.products_allowed == ("direct_loan", "loan_guarantee")
    assert codes(long)["PRODUCT_NOT_FOR_TERM"] == fin.Status.BLOCKING


def test_terms_no_cover_in_country_limitation_schedule_is_blocking():
    t = terms(destinations=[UKRAINE])
    finding = next(f for f in t.findings if f.code == "COVER_NOT_AVAILABLE")
    assert finding.message == "EXIM's Country Limitation Schedule shows no long-term cover for Ukraine."


def test_terms_as_json_keeps_amounts_exact():
    data = terms().as_json()
    assert data["financed_amount"] == "68000000.00"
    assert data["findings"][0]["code"] == "CASH_PAYMENT"


BOARD = Decimal("10000000")
CONGRESS = Decimal("100000000")
CENT = Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "required"), [(BOARD - CENT, False), (BOARD, False), (BOARD + CENT, True)]
)
def test_board_required_only_above_threshold(amount, required):
    assert fin.board_required(amount=amount, rules=RULES) is required


@pytest.mark.parametrize(
    ("amount", "required"), [(CONGRESS - CENT, False), (CONGRESS, True), (CONGRESS + CENT, True)]
)
def test_congress_notified_at_threshold_or_more(amount, required):
    assert fin.congress_required(amount=amount, rules=RULES) is required


@pytest.mark.parametrize(
    ("amount", "route"),
    [
        (BOARD - CENT, ("final_commitment",)),
        (BOARD, ("final_commitment",)),
        (BOARD + CENT, ("board", "final_commitment")),
        (CONGRESS - CENT, ("board", "final_commitment")),
        (CONGRESS, ("board", "congressional_notification", "final_commitment")),
        (CONGRESS + CENT, ("board", "congressional_notification", "final_commitment")),
    ],
)
def test_approval_route_by_amount(amount, route):
    assert fin.approval_route(amount=amount, rules=RULES) == route


def test_approval_route_follows_edited_thresholds():
    rules = fin.FinancingRules(board_approval_threshold=Decimal("25000000"))
    assert fin.approval_route(amount=Decimal("20000000"), rules=rules) == ("final_commitment",)
