"""Template filters for the EXIM pages: dollar amounts in full and in short (millions, billions)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

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
