"""The pure rules of calls: the window (both sides, rolling), a valid call, when a rubric may be published."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from proposals.intake.policy.calls import (
    call_errors,
    call_window_refusal,
    eligibility_errors,
    rubric_publish_refusals,
)

D = datetime.date


@dataclass
class Window:
    opens_on: datetime.date
    closes_on: datetime.date | None
    rolling: bool


FIXED = Window(D(2026, 4, 1), D(2026, 6, 30), rolling=False)
ROLLING = Window(D(2026, 4, 1), D(2026, 6, 30), rolling=True)


def test_call_window_refusal_before_opening_names_the_dates() -> None:
    assert (
        call_window_refusal(FIXED, D(2026, 3, 31))
        == "This call accepts proposals from 1 April 2026 to 30 June 2026."
    )


def test_call_window_refusal_after_closing_names_the_dates() -> None:
    assert (
        call_window_refusal(FIXED, D(2026, 7, 1))
        == "This call accepts proposals from 1 April 2026 to 30 June 2026."
    )


def test_call_window_refusal_none_on_the_first_and_last_day() -> None:
    assert call_window_refusal(FIXED, D(2026, 4, 1)) is None
    assert call_window_refusal(FIXED, D(2026, 6, 30)) is None


def test_call_window_refusal_rolling_call_still_accepts_after_its_close_date() -> None:
    assert call_window_refusal(ROLLING, D(2026, 12, 4)) is None


def test_call_window_refusal_rolling_call_refuses_before_opening() -> None:
    refusal = call_window_refusal(ROLLING, D(2026, 3, 1))
    assert refusal is not None and "from 1 April 2026" in refusal and "rolling basis" in refusal


def test_call_window_refusal_rolling_without_close_date_accepts_from_opening() -> None:
    call = Window(D(2026, 4, 1), None, rolling=True)
    assert call_window_refusal(call, D(2030, 1, 1)) is None
    assert call_window_refusal(call, D(2026, 3, 31)) is not None


def test_call_window_refusal_fails_closed_without_close_date_when_not_rolling() -> None:
    assert call_window_refusal(Window(D(2026, 4, 1), None, rolling=False), D(2026, 5, 1)) is not None


def _call_errors(**overrides):
    fields = {
        "opens_on": D(2026, 4, 1),
        "closes_on": D(2026, 6, 30),
        "rolling": False,
        "required_layers": ["chips"],
        "required_document_categories": ["financial"],
        "eligibility": {},
        "known_countries": frozenset({"CN", "US"}),
    }
    return call_errors(**{**fields, **overrides})


def test_call_errors_none_for_a_valid_call() -> None:
    assert _call_errors() == {}


def test_call_errors_close_before_opening() -> None:
    assert "closes_on" in _call_errors(closes_on=D(2026, 3, 1))


def test_call_errors_no_close_date_unless_rolling() -> None:
    assert "closes_on" in _call_errors(closes_on=None)
    assert _call_errors(closes_on=None, rolling=True) == {}


def test_call_errors_needs_a_known_layer_and_document() -> None:
    assert "required_layers" in _call_errors(required_layers=[])
    assert "required_layers" in _call_errors(required_layers=["quantum"])
    assert "required_document_categories" in _call_errors(required_document_categories=["poem"])


def test_eligibility_errors_unknown_key_country_and_bad_share() -> None:
    known = frozenset({"CN"})
    assert (
        eligibility_errors(
            {"excluded_countries": ["CN"], "min_hardware_us_content": "0.6"}, known_countries=known
        )
        == []
    )
    assert eligibility_errors({"colour": "red"}, known_countries=known)
    assert eligibility_errors({"excluded_countries": ["XX"]}, known_countries=known)
    assert eligibility_errors({"excluded_countries": "CN"}, known_countries=known)
    assert eligibility_errors({"min_hardware_us_content": "51"}, known_countries=known)
    assert eligibility_errors([], known_countries=known)


def test_rubric_publish_refusals_weights_must_sum_to_100() -> None:
    rows = [("a", Decimal("60"), 1, 5), ("b", Decimal("30"), 1, 5)]
    assert rubric_publish_refusals(rows) == ["The weights must sum to 100; they sum to 90."]
    assert rubric_publish_refusals([*rows, ("c", Decimal("10"), 1, 5)]) == []


def test_rubric_publish_refusals_without_criteria_or_with_a_flat_scale() -> None:
    assert rubric_publish_refusals([]) == ["Add at least one criterion before publishing."]
    assert rubric_publish_refusals([("a", Decimal("100"), 3, 3)])
