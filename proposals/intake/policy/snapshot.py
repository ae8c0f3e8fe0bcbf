"""The shape of a proposal as plain data: what the completeness engine reads and a revision freezes.

Built from the database by `proposals.intake.selectors.proposal_snapshot`; pure, so rules can read it.

Amounts are strings in the snapshot (JSON has no decimal); `dec()` reads them back exactly.
"""

from decimal import Decimal
from typing import Any

Snapshot = dict[str, Any]

# The fields a consortium edits on each child row (the editor, the API and drafting use these), and
# so the fields a revision freezes: one list, so that nothing editable is left out of a revision.
SITE_FIELDS = ("name", "country", "city", "builder", "owner", "operator")
ITEM_FIELDS = (
    "layer",
    "description",
    "manufacturer",
    "origin_country",
    "eccn",
    "quantity",
    "unit_value",
    "us_origin_value",
    "site",
)
PARTY_FIELDS = (
    "role",
    "name",
    "address",
    "country",
    "headquarters_country",
    "ultimate_parent",
    "ultimate_parent_country",
)


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")
