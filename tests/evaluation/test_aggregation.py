"""The aggregation arithmetic (proposals.evaluation.policy.aggregation) on the worked example."""

from decimal import Decimal

from proposals.evaluation.policy.aggregation import CriterionSpec, aggregate, strong_disagreement

CRITERIA = [
    CriterionSpec("a", "Alignment", Decimal("50"), 1, 5),
    CriterionSpec("b", "Benefit", Decimal("30"), 1, 5),
    CriterionSpec("c", "Capacity", Decimal("20"), 0, 10),
]
SHEETS = [{"a": 3, "b": 5, "c": 2}, {"a": 4, "b": 5, "c": 8}, {"a": 5, "b": 5, "c": 8}]


def test_aggregation_worked_example_with_weights():
    result = aggregate(CRITERIA, SHEETS)

    by_code = {c.code: c for c in result.criteria}
    assert (by_code["a"].mean, by_code["a"].median, by_code["a"].spread) == (Decimal("4"), Decimal("4"), 2)
    assert (by_code["b"].mean, by_code["b"].median, by_code["b"].spread) == (Decimal("5"), Decimal("5"), 0)
    assert (by_code["c"].mean, by_code["c"].median, by_code["c"].spread) == (Decimal("6"), Decimal("8"), 6)
    assert result.weighted_mean_total == Decimal("79.50")
    assert result.weighted_median_total == Decimal("83.50")
    assert result.sheets == 3 and result.complete


def test_strong_disagreement_flags_a_spread_of_half_the_scale():
    result = aggregate(CRITERIA, SHEETS)

    assert [c.code for c in result.criteria if c.disagreement] == ["a", "c"]
    assert result.disagreement
    assert result.disagreeing == ["Alignment", "Capacity"]


def test_strong_disagreement_not_flagged_below_half_the_scale():
    assert not strong_disagreement(spread=1, scale_min=1, scale_max=5)
    assert strong_disagreement(spread=2, scale_min=1, scale_max=5)
    assert not strong_disagreement(spread=4, scale_min=0, scale_max=10)
    assert strong_disagreement(spread=5, scale_min=0, scale_max=10)


def test_aggregation_of_no_sheets_is_incomplete_and_zero():
    result = aggregate(CRITERIA, [])

    assert not result.complete
    assert result.weighted_mean_total == Decimal("0.00")
    assert all(c.mean is None for c in result.criteria)
