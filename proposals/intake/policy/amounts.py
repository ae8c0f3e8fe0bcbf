"""How large a line item's numbers may be: bounded quantities and money, checked wherever they enter.

Without bounds, a quantity times a unit value can exceed what the money columns and the API's
decimal fields hold, and a saved line item then breaks every page and list that shows its total.
The limits are far above any real package (EXIM's whole exposure ceiling is $135B).
"""

from decimal import Decimal

QUANTITY_MAX = 10_000_000
# A unit value, a line's US-origin value and a line's total (quantity x unit value): $1 trillion.
LINE_VALUE_MAX = Decimal("1000000000000.00")


def line_item_amount_errors(
    quantity: int | None, unit_value: Decimal | None, us_origin_value: Decimal | None
) -> dict[str, list[str]]:
    """Field errors for out-of-range numbers of one line item (empty when every number is in range).

    Missing values are left to the fields' own "required" checks.
    """
    errors: dict[str, list[str]] = {}
    if quantity is not None and quantity > QUANTITY_MAX:
        errors["quantity"] = [f"Enter a quantity of at most {QUANTITY_MAX:,}."]
    for name, value in (("unit_value", unit_value), ("us_origin_value", us_origin_value)):
        if value is not None and value > LINE_VALUE_MAX:
            errors[name] = [f"Enter an amount of at most {LINE_VALUE_MAX:,.2f} US dollars."]
    if (
        not errors
        and quantity is not None
        and unit_value is not None
        and quantity * unit_value > LINE_VALUE_MAX
    ):
        errors["unit_value"] = [
            f"The line's total (quantity x unit value) may be at most {LINE_VALUE_MAX:,.2f} US dollars."
        ]
    return errors
