"""Calls for proposals: when a call accepts proposals, what a valid call is, when a rubric may be
published. Pure rules: they read plain values (a call is anything with its window's attributes).

The window: a call accepts proposals from `opens_on` (inclusive). A call that is not rolling accepts
them up to `closes_on` (inclusive). A rolling call ("considered on a rolling basis") keeps accepting
after `closes_on`: the close date is then when proposals are due for the first round (the program's
calls: due within 90 days), and later ones are considered as they come. A rolling call may have no
close date; a call that is not rolling must have one (a call with neither is refused, fail closed).

Rubrics: a published rubric is never edited; a change is a new version. A rubric may be published
when it has at least one criterion, every scale runs upwards, and the weights sum to exactly 100.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from proposals.core.enums import DocumentCategory, Layer

ELIGIBILITY_KEYS = frozenset({"excluded_countries", "min_hardware_us_content"})


class CallWindow(Protocol):
    opens_on: datetime.date
    closes_on: datetime.date | None
    rolling: bool


def long_date(day: datetime.date) -> str:
    """1 April 2026 (no leading zero, whatever the locale)."""
    return f"{day.day} {day:%B %Y}"


def call_window_text(call: CallWindow) -> str:
    """When the call accepts proposals, as a sentence."""
    opens = long_date(call.opens_on)
    if not call.rolling:
        if call.closes_on is None:
            return f"This call opens on {opens} and has no close date set yet."
        return f"This call accepts proposals from {opens} to {long_date(call.closes_on)}."
    if call.closes_on is None:
        return f"This call accepts proposals from {opens}, considered on a rolling basis."
    return (
        f"This call accepts proposals from {opens}; they were due by {long_date(call.closes_on)} "
        "and are considered on a rolling basis after that."
    )


def call_is_open(call: CallWindow, today: datetime.date) -> bool:
    return call_window_refusal(call, today) is None


def call_window_refusal(call: CallWindow, today: datetime.date) -> str | None:
    """Why the call does not accept a proposal today (a sentence naming its dates), or None if it does."""
    if today < call.opens_on:
        return call_window_text(call)
    if call.rolling:
        return None
    if call.closes_on is None or today > call.closes_on:
        return call_window_text(call)
    return None


def call_errors(
    *,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    rolling: bool,
    required_layers: Iterable[str],
    required_document_categories: Iterable[str],
    eligibility: Any,
    known_countries: frozenset[str] | None = None,
) -> dict[str, list[str]]:
    """Field errors of a call's settings (empty when valid). `known_countries`: the ISO codes an
    excluded country may be (None: not checked)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if opens_on is None:
        add("opens_on", "Give the date the call opens.")
    if closes_on is None and not rolling:
        add("closes_on", "Give the close date, or mark the call as rolling.")
    if opens_on and closes_on and closes_on < opens_on:
        add("closes_on", f"The close date must be on or after the opening date ({long_date(opens_on)}).")
    layers = list(required_layers)
    if not layers:
        add("required_layers", "Require at least one layer.")
    if unknown := sorted(set(layers) - set(Layer.values)):
        add("required_layers", f"Unknown layer: {', '.join(unknown)}.")
    if unknown := sorted(set(required_document_categories) - set(DocumentCategory.values)):
        add("required_document_categories", f"Unknown document category: {', '.join(unknown)}.")
    for message in eligibility_errors(eligibility, known_countries=known_countries):
        add("eligibility", message)
    return errors


def eligibility_errors(eligibility: Any, *, known_countries: frozenset[str] | None = None) -> list[str]:
    """What is wrong with a call's eligibility JSON (see `proposals.intake.models.call`)."""
    if not isinstance(eligibility, Mapping):
        return ['Eligibility is an object such as {"excluded_countries": ["CN"]}.']
    errors = [f'Unknown eligibility rule "{key}".' for key in sorted(set(eligibility) - ELIGIBILITY_KEYS)]
    excluded = eligibility.get("excluded_countries", [])
    if not isinstance(excluded, list) or not all(isinstance(c, str) for c in excluded):
        errors.append("excluded_countries is a list of ISO country codes.")
    elif known_countries is not None and (unknown := sorted(set(excluded) - known_countries)):
        errors.append(f"Unknown country in excluded_countries: {', '.join(unknown)}.")
    if "min_hardware_us_content" in eligibility:
        share = eligibility_share(eligibility["min_hardware_us_content"])
        if share is None:
            errors.append("min_hardware_us_content is a share between 0 and 1, such as 0.51.")
    return errors


def eligibility_share(value: Any) -> Decimal | None:
    """A share written as text or a number, if it is between 0 and 1; else None."""
    if isinstance(value, bool):
        return None
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return share if share.is_finite() and 0 <= share <= 1 else None


def rubric_publish_refusals(criteria: Iterable[tuple[str, Decimal, int, int]]) -> list[str]:
    """Why a draft rubric of these (code, weight, scale_min, scale_max) may not be published yet."""
    rows = list(criteria)
    if not rows:
        return ["Add at least one criterion before publishing."]
    refusals = [
        f"Criterion {code}: the scale must run upwards (minimum {low}, maximum {high})."
        for code, _, low, high in rows
        if high <= low
    ]
    total = sum((Decimal(weight) for _, weight, _, _ in rows), Decimal("0"))
    if total != 100:
        refusals.append(f"The weights must sum to 100; they sum to {total.normalize():f}.")
    return refusals
