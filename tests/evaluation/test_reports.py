"""The report rules (proposals.evaluation.policy.reports): where a proposal stands, the median days per
stage on the module's worked example, and the bar widths the charts draw."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from proposals.evaluation.policy.reports import (
    StageEvent,
    bar_widths,
    outcome_counts,
    report_outcome,
    scaled_widths,
    stage_days,
)

DAY0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return DAY0 + timedelta(days=days)


@pytest.mark.parametrize(
    ("submitted", "proposal_status", "panel_status", "outcome"),
    [
        (False, "draft", None, None),
        (False, "withdrawn", None, None),  # withdrawn before it was ever submitted: not received
        (True, "submitted", None, "in_intake"),
        (True, "returned", None, "in_intake"),
        (True, "in_review", None, "awaiting_panel"),
        (True, "in_review", "forming", "in_evaluation"),
        (True, "in_review", "scoring", "in_evaluation"),
        (True, "in_review", "deferred", "deferred"),
        (True, "in_review", "designated", "designated"),
        (True, "approved", "designated", "designated"),
        (True, "withdrawn", "designated", "designated"),  # the determination outlasts a later withdrawal
        (True, "declined", "not_designated", "not_designated"),
        (True, "declined", None, "declined"),
        (True, "withdrawn", "scoring", "withdrawn"),
        (True, "withdrawn", "deferred", "withdrawn"),
    ],
)
def test_report_outcome_counts_each_received_proposal_once(submitted, proposal_status, panel_status, outcome):
    assert (
        report_outcome(submitted=submitted, proposal_status=proposal_status, panel_status=panel_status)
        == outcome
    )


def test_outcome_counts_fold_grouped_rows_with_every_outcome_present():
    rows = [
        (False, "draft", None, 4),
        (True, "in_review", None, 2),
        (True, "in_review", "scoring", 3),
        (True, "declined", "not_designated", 1),
        (True, "in_review", "designated", 5),
        (True, "approved", "designated", 1),
    ]

    received, counts = outcome_counts(rows)

    assert received == 12
    assert counts == {
        "in_intake": 0,
        "awaiting_panel": 2,
        "in_evaluation": 3,
        "deferred": 0,
        "designated": 6,
        "not_designated": 1,
        "declined": 0,
        "withdrawn": 0,
    }


def test_stage_days_median_on_the_worked_example():
    """The module docstring's example: P1 designated; P2 returned once and now declaring conflicts."""
    p1 = [
        ("proposal", "draft", "submitted", 0),
        ("proposal", "submitted", "in_review", 2),
        ("panel", "", "forming", 5),
        ("panel", "forming", "conflicts", 6),
        ("panel", "conflicts", "scoring", 8),
        ("panel", "scoring", "determination", 18),
        ("panel", "determination", "designated", 20),
    ]
    p2 = [
        ("proposal", "draft", "submitted", 1),
        ("proposal", "submitted", "returned", 4),
        ("proposal", "returned", "submitted", 10),
        ("proposal", "submitted", "in_review", 11),
        ("panel", "", "forming", 12),
        ("panel", "", "forming", 12.2),  # re-formed while forming: the same visit
        ("panel", "forming", "conflicts", 12.5),
    ]
    events = [StageEvent(1, at(d), t, f, s) for t, f, s, d in p1] + [
        StageEvent(2, at(d), t, f, s) for t, f, s, d in p2
    ]

    figures = {f.key: (f.median_days, f.proposals, f.in_stage_now) for f in stage_days(events)}

    assert figures == {
        "intake": (Decimal("3.0"), 2, 0),
        "awaiting_panel": (Decimal("2.0"), 2, 0),
        "forming": (Decimal("0.8"), 2, 0),
        "conflicts": (Decimal("2.0"), 1, 1),
        "scoring": (Decimal("10.0"), 1, 0),
        "determination": (Decimal("2.0"), 1, 0),
        "deferred": (None, 0, 0),
    }


def test_stage_days_say_not_yet_with_the_reason_when_nobody_finished_a_stage():
    events = [
        StageEvent(7, at(0), "proposal", "draft", "submitted"),
        StageEvent(7, at(1), "proposal", "submitted", "in_review"),
    ]

    figures = {f.key: f for f in stage_days(events)}

    assert (figures["awaiting_panel"].median_days, figures["awaiting_panel"].not_yet) == (
        None,
        "Not yet: no proposal has left this stage.",
    )
    assert figures["scoring"].not_yet == "Not yet: no proposal has reached this stage."
    assert figures["intake"].not_yet == ""


def test_bar_widths_add_up_to_the_width_and_keep_every_counted_outcome_visible():
    assert bar_widths([1, 1, 1], width=800) == [267, 267, 266]
    assert bar_widths([0, 0], width=800) == [0, 0]
    widths = bar_widths([1000, 1, 0], width=100)
    assert (widths, sum(widths)) == ([99, 1, 0], 100)


def test_scaled_widths_put_the_largest_at_full_width():
    assert scaled_widths([Decimal("10.0"), Decimal("2.5"), None], width=400) == [400, 100, 0]
    assert scaled_widths([None, None], width=400) == [0, 0]
