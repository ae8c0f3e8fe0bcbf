"""Template filters for the EXIM pages: dollar amounts in full and in short (millions, billions)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from proposals.deal_workflow import DEAL_TRANSITIONS
from proposals.enums import DealStage

register = template.Library()


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def usd(value: Any) -> str:
    """$68,000,000.00"""
    amount = _dec(value)
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def usd_short(value: Any) -> str:
    """$135.0B, $68.0M, $950,000"""
    amount = _dec(value)
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for size, suffix in ((Decimal("1e9"), "B"), (Decimal("1e6"), "M")):
        if amount >= size:
            return f"{sign}${amount / size:,.1f}{suffix}"
    return f"{sign}${amount:,.0f}"


@register.filter
def percent(value: Any) -> str:
    """0.5099 -> 50.99%"""
    share = _dec(value)
    if share is None:
        return "—"
    return f"{(share * 100).quantize(Decimal('0.01')).normalize():f}%"


@register.filter
def stage_label(value: str) -> str:
    """A deal stage's label; other values (an empty start) pass through."""
    return DealStage(value).label if value in DealStage.values else value


# Deal audit actions that are not stage moves.
OTHER_ACTIONS = {
    "open": "Deal opened",
    "request_updated": "Request updated",
    "target_date_changed": "Target date changed",
}


@register.filter
def deal_action_label(action: str) -> str:
    if action in DEAL_TRANSITIONS:
        return DEAL_TRANSITIONS[action].label
    return OTHER_ACTIONS.get(action, action.replace("_", " ").capitalize())
