"""How a panel's scores become one result: per criterion mean, median and spread, the weighted totals,
and the strong-disagreement flag. Pure: the services pass plain values in.

Scales differ between criteria (1-5, 0-10), so each criterion's mean is first placed on its own scale
as a share from 0 (the scale's minimum) to 1 (its maximum); the weighted total is the sum of
weight x share, a figure from 0 to 100 (weights sum to 100 in a published rubric). The median total is
the same sum over the medians.

Strong disagreement (the rule): a criterion's spread (highest score minus lowest) is at least half of
its scale's range (scale_max - scale_min): on a 1-5 scale, a 2 beside a 4 (or further apart); on 0-10,
scores 5 or more apart. The panel disagrees strongly when any criterion does; the officer sees which.

Only submitted score sheets count; a criterion nobody scored has no mean (None) and adds nothing to the
totals, and `complete` says so (the result is not final).

Worked example (tests/evaluation/test_aggregation.py), three evaluators:
    A  weight 50, scale 1-5:  3, 4, 5   mean 4, median 4, spread 2 (>= 2: strong disagreement)
    B  weight 30, scale 1-5:  5, 5, 5   mean 5, median 5, spread 0
    C  weight 20, scale 0-10: 2, 8, 8   mean 6, median 8, spread 6 (>= 5: strong disagreement)
    weighted total (means)   = 50 x 0.75 + 30 x 1 + 20 x 0.6 = 37.5 + 30 + 12 = 79.5
    weighted total (medians) = 50 x 0.75 + 30 x 1 + 20 x 0.8 = 37.5 + 30 + 16 = 83.5
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    title: str
    weight: Decimal
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class CriterionResult:
    code: str
    title: str
    weight: Decimal
    scale_min: int
    scale_max: int
    count: int
    mean: Decimal | None
    median: Decimal | None
    spread: int | None
    disagreement: bool


@dataclass(frozen=True)
class Aggregate:
    criteria: list[CriterionResult]
    weighted_mean_total: Decimal  # 0-100
    weighted_median_total: Decimal  # 0-100
    disagreement: bool  # any criterion strongly disagrees
    sheets: int  # submitted score sheets counted
    complete: bool  # every criterion has at least one score

    @property
    def disagreeing(self) -> list[str]:
        return [c.title for c in self.criteria if c.disagreement]


def strong_disagreement(*, spread: int, scale_min: int, scale_max: int) -> bool:
    """The strong-disagreement rule: the spread is at least half of the scale's range."""
    return Decimal(spread) * 2 >= Decimal(scale_max - scale_min)


def _share(value: Decimal, spec: CriterionSpec) -> Decimal:
    return (value - spec.scale_min) / Decimal(spec.scale_max - spec.scale_min)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def aggregate(criteria: Iterable[CriterionSpec], sheets: Iterable[Mapping[str, int]]) -> Aggregate:
    """The panel's result from the rubric's criteria and each submitted sheet ({criterion code: score})."""
    specs = list(criteria)
    sheet_list = list(sheets)
    results: list[CriterionResult] = []
    mean_total = Decimal(0)
    median_total = Decimal(0)
    for spec in specs:
        values = [sheet[spec.code] for sheet in sheet_list if sheet.get(spec.code) is not None]
        if not values:
            results.append(
                CriterionResult(
                    spec.code,
                    spec.title,
                    spec.weight,
                    spec.scale_min,
                    spec.scale_max,
                    0,
                    None,
                    None,
                    None,
                    False,
                )
            )
            continue
        mean = Decimal(sum(values)) / Decimal(len(values))
        mid = Decimal(str(median(values)))
        spread = max(values) - min(values)
        mean_total += spec.weight * _share(mean, spec)
        median_total += spec.weight * _share(mid, spec)
        results.append(
            CriterionResult(
                code=spec.code,
                title=spec.title,
                weight=spec.weight,
                scale_min=spec.scale_min,
                scale_max=spec.scale_max,
                count=len(values),
                mean=_q(mean),
                median=_q(mid),
                spread=spread,
                disagreement=strong_disagreement(
                    spread=spread, scale_min=spec.scale_min, scale_max=spec.scale_max
                ),
            )
        )
    return Aggregate(
        criteria=results,
        weighted_mean_total=_q(mean_total),
        weighted_median_total=_q(median_total),
        disagreement=any(r.disagreement for r in results),
        sheets=len(sheet_list),
        complete=bool(specs) and all(r.count for r in results),
    )
