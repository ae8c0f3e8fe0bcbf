"""Template filters for the EXIM pages: dollar amounts in full and in short (millions, billions), and
the pipeline table's rows.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from proposals.core.enums import DealStage, EximProduct

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


_OVER_BENCHMARK = ' <span class="usa-tag bg-secondary">Over benchmark</span>'
_NONE = "\u2014"
_URL_ID = 987654321  # a stand-in id: one reverse() for the table, not one a row


@register.simple_tag
def pipeline_rows(rows: list[tuple[Any, Any]]) -> SafeString:
    """The pipeline table's rows (pipeline_rows with their stage clocks), written in Python with
    every text escaped: fifty rows of template variables were a third of the page's time (bench/)."""
    stage_labels = {value: escape(label) for value, label in DealStage.choices}
    product_labels = {value: escape(label) for value, label in EximProduct.choices}
    url_head, url_tail = reverse("exim-deal", kwargs={"pk": _URL_ID}).split(str(_URL_ID))
    lines = []
    for row, clock in rows:
        benchmark = "" if clock.benchmark is None else f" ({clock.benchmark})"
        over = _OVER_BENCHMARK if clock.over else ""
        destination = _NONE
        if row.destination__name is not None:
            region = escape(row.destination__region)
            destination = f'{escape(row.destination__name)}<br><span class="font-sans-3xs">{region}</span>'
        url = f"{url_head}{int(row.pk)}{url_tail}"
        stage = stage_labels.get(row.stage) or escape(row.stage)
        product = product_labels.get(row.product) or escape(row.product) or _NONE
        term = (
            escape(row.term_class_value[:1].upper() + row.term_class_value[1:])
            if row.term_class_value
            else _NONE
        )
        lines.append(
            # data-label: the column's name above each value when the table stacks on a phone.
            f'<tr>\n      <th scope="row" data-label="Proposal">'
            f'<a href="{url}">{escape(row.proposal__title)}</a>'
            f'<br><span class="font-sans-3xs">{escape(row.proposal__consortium__name)}</span></th>\n'
            f'      <td data-label="Stage">{stage}</td>\n'
            f'      <td class="table-numeric" data-label="Days in stage (benchmark)">'
            f"{int(clock.days)}{benchmark}{over}</td>\n"
            f'      <td data-label="Destination">{destination}</td>\n'
            f'      <td data-label="Product">{product}</td>\n'
            f'      <td class="table-numeric" data-label="Amount">{escape(usd(row.amount))}</td>\n'
            f'      <td data-label="Term">{term}</td>\n'
            "    </tr>"
        )
    return mark_safe("\n    ".join(lines))  # every value above is escaped, a number or our own markup
