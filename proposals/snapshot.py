"""A proposal as plain data: what the completeness engine reads and what a revision freezes.

Amounts are strings in the snapshot (JSON has no decimal); `dec()` reads them back exactly.
"""

from decimal import Decimal
from typing import Any

from proposals.models import Proposal

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
PARTY_FIELDS = ("role", "name", "address", "country")


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def proposal_snapshot(proposal: Proposal) -> Snapshot:
    """Read a proposal and everything in it, in a fixed number of queries whatever its size."""
    members = proposal.consortium.members.select_related("company").order_by("pk")
    return {
        "id": proposal.pk,
        "consortium": proposal.consortium.name,
        "title": proposal.title,
        "summary": proposal.summary,
        "target_countries": sorted(proposal.target_countries.values_list("code", flat=True)),
        "target_blocs": proposal.target_blocs,
        "use_cases": proposal.use_cases,
        "security_measures": proposal.security_measures,
        "end_use": proposal.end_use,
        "confidential_sections": list(proposal.confidential_sections or []),
        "financing": {
            "product": proposal.exim_product,
            "amount": _money(proposal.financing_amount),
            "local_costs": _money(proposal.local_costs),
            "tenor_years": _money(proposal.tenor_years),
            "dfc": proposal.dfc_support_requested,
            "ustda": proposal.ustda_support_requested,
        },
        "members": [
            {
                "id": m.pk,
                "company": m.company.legal_name,
                "role": m.role,
                "layers": list(m.layers or []),
                "country_of_incorporation": m.company.country_of_incorporation_id,
                "principal_place_of_business": m.company.principal_place_of_business_id,
                "ultimate_parent": m.company.ultimate_parent,
                "ultimate_parent_country": m.company.ultimate_parent_country_id,
            }
            for m in members
        ],
        "sites": list(proposal.sites.order_by("pk").values("id", *SITE_FIELDS)),
        "line_items": [
            {**row, "unit_value": str(row["unit_value"]), "us_origin_value": str(row["us_origin_value"])}
            for row in proposal.line_items.order_by("layer", "pk").values("id", *ITEM_FIELDS)
        ],
        "parties": list(proposal.parties.order_by("role", "pk").values("id", *PARTY_FIELDS)),
        "documents": list(
            proposal.documents.order_by("category", "pk").values("id", "category", "original_name", "sha256")
        ),
    }
