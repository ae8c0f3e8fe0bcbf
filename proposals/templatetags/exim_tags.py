"""Template filters for the EXIM pages: dollar amounts in full and in short (millions, billions), and
the pipeline table's rows.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from proposals.deal_workflow import DEAL_TRANSITIONS
from proposals.enums import DealStage, EximProduct

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


_PIPELINE_ROW = (
    '<tr>\n      <th scope="row"><a href="{}">{}</a><br><span class="font-sans-3xs">{}</span></th>\n'
    "      <td>{}</td>\n"
    '      <td class="table-numeric">{}{}</td>\n'
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    '      <td class="table-numeric">{}</td>\n'
    "      <td>{}</td>\n"
    "    </tr>"
)
_OVER_BENCHMARK = SafeString(' <span class="usa-tag bg-secondary">Over benchmark</span>')
_NONE = "\u2014"


@register.simple_tag
def pipeline_rows(rows: list[tuple[Any, Any]]) -> SafeString:
    """The pipeline table's rows (pipeline_values rows with their stage clocks), escaped by format_html:
    in Python, because fifty rows of template variables were a third of the page's time (bench/)."""
    stage_labels = dict(DealStage.choices)
    product_labels = dict(EximProduct.choices)

    def cells(row: Any, clock: Any) -> tuple[Any, ...]:
        benchmark = "" if clock.benchmark is None else f" ({clock.benchmark})"
        destination = (
            format_html(
                '{}<br><span class="font-sans-3xs">{}</span>', row.destination__name, row.destination__region
            )
            if row.destination__name is not None
            else _NONE
        )
        term = row.term_class_value
        return (
            reverse("exim-deal", kwargs={"pk": row.pk}),
            row.proposal__title,
            row.proposal__consortium__name,
            stage_labels.get(row.stage, row.stage),
            clock.days,
            format_html("{}{}", benchmark, _OVER_BENCHMARK if clock.over else ""),
            destination,
            product_labels.get(row.product, row.product) or _NONE,
            usd(row.amount),
            (term[:1].upper() + term[1:]) if term else _NONE,
        )

    return format_html_join("\n    ", _PIPELINE_ROW, (cells(row, clock) for row, clock in rows))
