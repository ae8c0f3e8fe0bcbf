"""Ownership rules as pure functions: owners' shares as data, and the affiliates (50%) rule.

The Entity List "affiliates" rule (interim final rule of 29 Sep 2025) extends a listed party's
restrictions to any entity it owns 50% or more of, directly or together with other listed parties.
It was suspended from 10 Nov 2025 to 10 Nov 2026. The rule is data (an OwnershipPolicyVersion,
loaded from data/ownership_policy.json): its threshold, when it takes effect, whether it is switched
on, and any suspension window. This module only applies it.

Which owners are "listed" is the caller's to say: the portal counts an owner as listed when its name
matches a screening list entry (exact, or fuzzy at the screening threshold), as a hit on its own name
would. A match opens a review; the hit this rule raises is adjudicated with the owner's own.
"""

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class AffiliatesRule:
    """The 50% rule as one version of policy data has it."""

    threshold: Decimal = Decimal("50")
    enabled: bool = True
    effective_from: date | None = None
    suspended_from: date | None = None
    suspended_until: date | None = None  # the suspension ends on this day: the rule applies from it

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> "AffiliatesRule":
        def day(key: str) -> date | None:
            value = data.get(key)
            if value in (None, ""):
                return None
            return value if isinstance(value, date) else date.fromisoformat(str(value))

        return cls(
            threshold=Decimal(str(data.get("threshold_percent", "50"))),
            enabled=bool(data.get("enabled", True)),
            effective_from=day("effective_from"),
            suspended_from=day("suspended_from"),
            suspended_until=day("suspended_until"),
        )

    def in_force(self, on: date) -> bool:
        """Switched on, in effect, and not suspended on the day `on`."""
        if not self.enabled:
            return False
        if self.effective_from is not None and on < self.effective_from:
            return False
        if self.suspended_from is not None and on >= self.suspended_from:
            return self.suspended_until is not None and on >= self.suspended_until
        return True


@dataclass(frozen=True)
class Share:
    """One owner of an entity and the percentage it holds."""

    name: str
    percent: Decimal


@dataclass(frozen=True)
class OwnershipFinding:
    """An entity owned `total`% by listed parties: at or over the rule's threshold."""

    listed: tuple[Share, ...]  # the listed owners, largest share first
    total: Decimal
    threshold: Decimal

    @property
    def message(self) -> str:
        owners = ", ".join(f"{s.name} ({_pct(s.percent)})" for s in self.listed)
        return f"Owned {_pct(self.threshold)}+ by listed parties ({_pct(self.total)} in all): {owners}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def owned_by_listed_parties(
    *, owners: Sequence[Share], listed: AbstractSet[str], rule: AffiliatesRule, on: date
) -> OwnershipFinding | None:
    """Is an entity owned `rule.threshold`% or more, directly or in aggregate, by listed parties?

    `owners` are the entity's owners with their shares; `listed` the owners' names (as given) that
    are listed. None when the rule is not in force on `on`, or the listed shares fall short.
    """
    if not rule.in_force(on):
        return None
    held = sorted((s for s in owners if s.name in listed), key=lambda s: (-s.percent, s.name))
    total = sum((s.percent for s in held), Decimal("0"))
    if not held or total < rule.threshold:
        return None
    return OwnershipFinding(tuple(held), total, rule.threshold)


def ownership_share_errors(percents: Sequence[object]) -> list[str]:
    """What is wrong with an entity's owners' percentages, in words; empty when they are fine.

    Each share is more than 0 and at most 100, and together they are at most 100.
    """
    errors: list[str] = []
    values: list[Decimal] = []
    for position, raw in enumerate(percents, start=1):
        try:
            value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().removesuffix("%"))
        except (InvalidOperation, ValueError):
            errors.append(f"Owner {position}: the percentage must be a number, such as 25 or 12.5.")
            continue
        if not value.is_finite() or not Decimal("0") < value <= HUNDRED:
            errors.append(f"Owner {position}: the percentage must be more than 0 and at most 100.")
            continue
        values.append(value)
    total = sum(values, Decimal("0"))
    if not errors and total > HUNDRED:
        errors.append(
            f"The owners' percentages add up to {_pct(total)}; together they can hold at most 100%."
        )
    return errors
