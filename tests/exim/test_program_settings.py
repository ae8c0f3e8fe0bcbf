"""Program settings refuse numbers that contradict each other or EXIM's book: one test per rule.

Each refusal is a field error (model `clean()` through `full_clean()`, as the admin form runs it) and
leaves the stored settings as they were.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from proposals.commerce.models import CommerceSettings
from proposals.core.enums import DealStage
from proposals.core.models.reference import ProgramSettings

pytestmark = pytest.mark.django_db

SHARES = (
    "hardware_us_content_min",
    "cash_payment_min",
    "financed_share_max",
    "local_costs_max_category_i",
    "local_costs_max_category_ii",
    "transformational_content_min",
)


def refusals(model=ProgramSettings, **changes) -> dict[str, list[str]]:
    """The field errors full_clean gives for `changes` to the current settings (which stay stored)."""
    record = model.current()
    for name, value in changes.items():
        setattr(record, name, value)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    stored = model.current()
    assert all(getattr(stored, name) != value for name, value in changes.items())
    return refused.value.message_dict


def test_settings_defaults_are_valid():
    ProgramSettings.current().full_clean()
    CommerceSettings.current().full_clean()


@pytest.mark.parametrize("name", SHARES)
@pytest.mark.parametrize(("value", "shown"), [(Decimal("-0.001"), "-0.1%"), (Decimal("1.001"), "100.1%")])
def test_settings_share_between_0_and_100_percent(name, value, shown):
    assert refusals(**{name: value})[name] == [f"Enter a percentage from 0% to 100% (you entered {shown})."]


@pytest.mark.parametrize("name", SHARES)
def test_settings_share_at_0_and_100_percent_is_accepted(name):
    program = ProgramSettings.current()
    for value in (Decimal("0"), Decimal("1")):
        setattr(program, name, value)
        if name in ("cash_payment_min", "financed_share_max"):
            other = "financed_share_max" if name == "cash_payment_min" else "cash_payment_min"
            setattr(program, other, 1 - value)
        program.full_clean()


def test_settings_financed_share_plus_cash_payment_at_most_100_percent():
    assert refusals(financed_share_max=Decimal("0.9")) == {
        "financed_share_max": [
            "The financed share (90%) and the minimum cash payment (15%) add up to more than 100% of the "
            "contract price."
        ]
    }
    program = ProgramSettings.current()
    program.financed_share_max, program.cash_payment_min = Decimal("0.8"), Decimal("0.2")
    program.full_clean()


@pytest.mark.parametrize("name", ["statutory_ceiling", "what_if_ceiling"])
@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1")])
def test_settings_ceiling_positive(name, value):
    assert refusals(**{name: value})[name] == ["Enter an amount above zero."]


def test_settings_outstanding_exposure_not_negative():
    assert refusals(outstanding_exposure=Decimal("-0.01")) == {
        "outstanding_exposure": ["Enter zero or more."]
    }


@pytest.mark.parametrize(
    ("name", "label"),
    [("statutory_ceiling", "statutory exposure ceiling"), ("what_if_ceiling", "what-if ceiling")],
)
def test_settings_ceiling_not_below_outstanding_exposure(name, label):
    assert refusals(**{name: Decimal("34000000000")}) == {
        name: [
            f"The {label} ($34 billion) cannot be below the exposure outstanding: $34.1 billion plus $0.00 "
            "committed by this program's authorized deals is $34.1 billion."
        ]
    }


def test_settings_ceiling_not_below_outstanding_plus_committed_deals(make_deal):
    make_deal(stage=DealStage.FINAL_COMMITMENT, amount=Decimal("68000000"))
    make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=Decimal("50000000"))  # pending: not exposure yet
    exposure = Decimal("34100000000") + Decimal("68000000")
    assert refusals(statutory_ceiling=exposure - Decimal("0.01")) == {
        "statutory_ceiling": [
            "The statutory exposure ceiling ($34,167,999,999.99) cannot be below the exposure outstanding: "
            "$34.1 billion plus $68 million committed by this program's authorized deals is $34.168 billion."
        ]
    }
    program = ProgramSettings.current()
    program.statutory_ceiling = exposure
    program.full_clean()
    # Raising the outstanding exposure past the ceiling is refused the same way.
    assert "statutory_ceiling" in refusals(outstanding_exposure=Decimal("134933000000"))


def test_settings_thresholds_ordered_board_not_below_medium_term_limit():
    assert refusals(board_approval_threshold=Decimal("9999999.99")) == {
        "board_approval_threshold": [
            "The board approval threshold ($9,999,999.99) must be at least the medium-term limit "
            "($10 million)."
        ]
    }


def test_settings_thresholds_ordered_congress_not_below_board():
    assert refusals(
        congressional_threshold=Decimal("5000000"), medium_term_max_amount=Decimal("1000000")
    ) == {
        "congressional_threshold": [
            "The congressional threshold ($5 million) must be at least the board approval threshold "
            "($10 million)."
        ]
    }


def test_settings_thresholds_ordered_equal_values_accepted():
    program = ProgramSettings.current()
    program.medium_term_max_amount = program.board_approval_threshold = program.congressional_threshold = (
        Decimal("25000000")
    )
    program.full_clean()


def test_settings_thresholds_positive():
    assert refusals(medium_term_max_amount=Decimal("0"))["medium_term_max_amount"] == [
        "Enter an amount above zero."
    ]


def test_settings_tenors_ordered_and_positive():
    assert refusals(long_term_max_tenor_years=Decimal("6")) == {
        "long_term_max_tenor_years": [
            "The long-term tenor (6 years) must be at least the medium-term tenor (7 years)."
        ]
    }
    assert refusals(max_tenor_category_i_with_notice_years=Decimal("4.5")) == {
        "max_tenor_category_i_with_notice_years": [
            "The Category I tenor with notice (4.5 years) must be at least the Category I standard tenor "
            "(5 years)."
        ]
    }
    assert refusals(max_tenor_category_ii_years=Decimal("0")) == {
        "max_tenor_category_ii_years": ["Enter an amount above zero."]
    }


def test_settings_congressional_notification_days_positive_whole_days():
    assert refusals(congressional_notification_days=0) == {
        "congressional_notification_days": ["Enter a whole number of days, 1 or more."]
    }


def _benchmarks(**medium):
    return {"medium": {"due_diligence": 45, **medium}, "long": {"due_diligence": 90}}


@pytest.mark.parametrize(
    ("benchmarks", "message"),
    [
        (_benchmarks(board=0), "medium, board: 0 is not a whole number of days, 1 or more."),
        (_benchmarks(board=-3), "medium, board: -3 is not a whole number of days, 1 or more."),
        (_benchmarks(board=1.5), "medium, board: 1.5 is not a whole number of days, 1 or more."),
        (_benchmarks(board="30"), "medium, board: '30' is not a whole number of days, 1 or more."),
        (_benchmarks(board=True), "medium, board: True is not a whole number of days, 1 or more."),
        ({"short": {"board": 30}}, '"short" is not a deal type: use "medium" or "long".'),
        ([30, 45], 'Enter benchmarks as {"medium": {"due_diligence": 45, ...}, "long": {...}}.'),
    ],
)
def test_settings_stage_benchmarks_positive_whole_days(benchmarks, message):
    assert refusals(deal_stage_benchmark_days=benchmarks) == {"deal_stage_benchmark_days": [message]}


def test_settings_stage_benchmarks_only_for_stages_a_deal_waits_in():
    found = refusals(deal_stage_benchmark_days=_benchmarks(declined=10, boardroom=5))[
        "deal_stage_benchmark_days"
    ]
    assert [m.split(" is not")[0] for m in found] == ['medium: "declined"', 'medium: "boardroom"']


def test_commerce_settings_clock_marks_ordered():
    assert refusals(CommerceSettings, agency_answer_days=8) == {
        "agency_answer_days": ["The agencies' answer (8 days) cannot come before the referral (9 days)."]
    }
    assert refusals(CommerceSettings, resolution_days=29) == {
        "resolution_days": [
            "The final resolution (29 days) cannot come before the agencies' answer (30 days)."
        ]
    }


def test_commerce_settings_clock_marks_positive_whole_days():
    assert refusals(CommerceSettings, referral_days=0) == {
        "referral_days": ["Enter a whole number of days, 1 or more."]
    }


def test_commerce_settings_near_deadline_shorter_than_review_period():
    assert refusals(CommerceSettings, near_deadline_days=90) == {
        "near_deadline_days": [
            "The warning (90 days before a mark) must be shorter than the review period (90 days)."
        ]
    }
