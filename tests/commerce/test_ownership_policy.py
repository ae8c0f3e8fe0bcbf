"""The affiliates (50%) rule as dated policy data, and owners' shares (pure functions)."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from proposals.commerce.policy.ownership import (
    AffiliatesRule,
    Share,
    owned_by_listed_parties,
    ownership_share_errors,
)

DATA = Path(__file__).resolve().parents[2] / "data"
RULE = AffiliatesRule.from_data(json.loads((DATA / "ownership_policy.json").read_text()))
OWNERS = (
    Share("Lotus Holdings", Decimal("30")),
    Share("Ivan Petrov", Decimal("25")),
    Share("Pension Fund", Decimal("45")),
)
LISTED = {"Lotus Holdings", "Ivan Petrov"}


def owned(on: date, rule: AffiliatesRule = RULE, owners=OWNERS, listed=LISTED):
    return owned_by_listed_parties(owners=owners, listed=listed, rule=rule, on=on)


def test_affiliates_rule_data_is_the_interim_final_rule_with_its_suspension():
    assert (
        AffiliatesRule(
            threshold=Decimal("50"),
            enabled=True,
            effective_from=date(2025, 9, 29),
            suspended_from=date(2025, 11, 10),
            suspended_until=date(2026, 11, 10),
        )
        == RULE
    )


@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        (date(2025, 9, 28), False),  # before the rule took effect
        (date(2025, 9, 29), True),
        (date(2025, 11, 9), True),
        (date(2025, 11, 10), False),  # suspended
        (date(2026, 6, 1), False),
        (date(2026, 11, 9), False),
        (date(2026, 11, 10), True),  # the suspension has ended
        (date(2027, 1, 1), True),
    ],
)
def test_affiliates_rule_on_and_off_by_date(on, in_force):
    assert RULE.in_force(on) is in_force
    assert (owned(on) is not None) is in_force


def test_affiliates_rule_switched_off_never_applies():
    off = AffiliatesRule(threshold=Decimal("50"), enabled=False)
    assert owned(date(2027, 1, 1), rule=off) is None


def test_affiliates_rule_suspended_without_end_stays_off():
    open_ended = AffiliatesRule(suspended_from=date(2025, 11, 10))
    assert open_ended.in_force(date(2030, 1, 1)) is False


def test_owned_by_listed_parties_in_aggregate_30_plus_25_is_a_hit():
    finding = owned(date(2026, 12, 1))
    assert (finding.total, [s.name for s in finding.listed]) == (
        Decimal("55"),
        ["Lotus Holdings", "Ivan Petrov"],
    )
    assert finding.message == (
        "Owned 50%+ by listed parties (55% in all): Lotus Holdings (30%), Ivan Petrov (25%)"
    )


def test_owned_by_listed_parties_exactly_50_is_a_hit():
    owners = (Share("Lotus Holdings", Decimal("50")), Share("Pension Fund", Decimal("50")))
    assert owned(date(2026, 12, 1), owners=owners).total == Decimal("50")


def test_owned_by_listed_parties_under_50_is_not_a_hit():
    # The unlisted 45% does not count: 30% + 15% by listed owners is 45%.
    owners = (Share("Lotus Holdings", Decimal("30")), Share("Ivan Petrov", Decimal("15")), OWNERS[2])
    assert owned(date(2026, 12, 1), owners=owners) is None


def test_owned_by_listed_parties_threshold_is_data():
    stricter = AffiliatesRule(threshold=Decimal("25"))
    assert owned(date(2026, 12, 1), rule=stricter, listed={"Lotus Holdings"}).total == Decimal("30")


@pytest.mark.parametrize(
    ("percents", "errors"),
    [
        (["30", "25", "45"], []),
        ([Decimal("100")], []),
        (["60", "50.5"], ["The owners' percentages add up to 110.5%; together they can hold at most 100%."]),
        (["0"], ["Owner 1: the percentage must be more than 0 and at most 100."]),
        (["10", "-5"], ["Owner 2: the percentage must be more than 0 and at most 100."]),
        (["101"], ["Owner 1: the percentage must be more than 0 and at most 100."]),
        (["ten"], ["Owner 1: the percentage must be a number, such as 25 or 12.5."]),
        (["NaN"], ["Owner 1: the percentage must be more than 0 and at most 100."]),
    ],
)
def test_owner_shares_each_in_range_and_at_most_100_together(percents, errors):
    assert ownership_share_errors(percents) == errors
