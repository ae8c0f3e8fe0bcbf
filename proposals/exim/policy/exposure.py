"""EXIM's statutory exposure ceiling: headroom, what the pipeline would leave, and the commitment check.

Pure functions; the ceiling, the what-if ceiling and the exposure already outstanding come from
ProgramSettings through `CeilingRules`.
"""

from dataclasses import dataclass
from decimal import Decimal

from proposals.exim.policy.financing import usd


@dataclass(frozen=True)
class CeilingRules:
    statutory_ceiling: Decimal
    what_if_ceiling: Decimal
    outstanding_exposure: Decimal

    @classmethod
    def from_program(cls, program: object) -> "CeilingRules":
        return cls(**{name: getattr(program, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CeilingView:
    """One ceiling seen from today: what is used, what is left, what the pipeline would leave."""

    label: str
    ceiling: Decimal
    exposure: Decimal  # outstanding plus this program's authorized deals
    pipeline: Decimal
    headroom: Decimal
    after_pipeline: Decimal

    @property
    def used_share(self) -> Decimal:
        return self.exposure / self.ceiling if self.ceiling else Decimal("0")

    @property
    def pipeline_share(self) -> Decimal:
        return self.pipeline / self.ceiling if self.ceiling else Decimal("0")

    @property
    def pipeline_fits(self) -> bool:
        return self.after_pipeline >= 0


def ceiling_views(*, committed: Decimal, pipeline: Decimal, rules: CeilingRules) -> list[CeilingView]:
    """The statutory ceiling and the what-if ceiling, each with headroom before and after the pipeline."""
    exposure = rules.outstanding_exposure + committed
    return [
        CeilingView(
            label=label,
            ceiling=ceiling,
            exposure=exposure,
            pipeline=pipeline,
            headroom=ceiling - exposure,
            after_pipeline=ceiling - exposure - pipeline,
        )
        for label, ceiling in (
            ("Statutory ceiling", rules.statutory_ceiling),
            ("What-if ceiling (reauthorization)", rules.what_if_ceiling),
        )
    ]


def ceiling_refusal(*, amount: Decimal, committed: Decimal, rules: CeilingRules) -> str | None:
    """Why authorizing `amount` would breach the statutory ceiling, or None when it fits."""
    exposure = rules.outstanding_exposure + committed
    if exposure + amount <= rules.statutory_ceiling:
        return None
    return (
        f"Authorizing {usd(amount)} would take EXIM's exposure to {usd(exposure + amount)}, past the "
        f"statutory ceiling of {usd(rules.statutory_ceiling)} "
        f"(headroom {usd(rules.statutory_ceiling - exposure)})."
    )
