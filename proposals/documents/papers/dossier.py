"""The proposal dossier's data: the latest frozen revision, resolved to labels and formatted figures.

Built from the revision's snapshot, not the live proposal, so the dossier says exactly what was
submitted as revision N; findings are the completeness engine's verdict on that same snapshot.
"""

from decimal import Decimal
from typing import Any

from django.utils import formats, timezone

from proposals.core.enums import HARDWARE_LAYERS, DocumentCategory, EximProduct, Layer, MemberRole, PartyRole
from proposals.core.enums import Section as S
from proposals.core.models.reference import Country
from proposals.documents.papers.ledger import Column, ledger_header, ledger_row, ledger_total
from proposals.exim.policy import financing as fin
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.policy.completeness import evaluate
from proposals.intake.policy.snapshot import Snapshot, dec
from proposals.intake.selectors import completeness_rules

# The line-item listing, one fixed-width line per item (see pdf/ledger.py for why); the widths fill
# a landscape Letter page at 6.5 pt.
ITEM_COLUMNS = (
    Column("Description", 44),
    Column("Manufacturer", 28),
    Column("ECCN", 10),
    Column("Site", 22),
    Column("Qty", 7, right=True),
    Column("Unit value", 15, right=True),
    Column("Line total", 17, right=True),
    Column("US-origin", 17, right=True),
)


def usd(value: Decimal) -> str:
    return f"${value:,.2f}"


def _owners(rows: list[dict[str, Any]] | None) -> str:
    """A frozen entity's owners in one line: "Lotus Holdings (MO, 30%); ..." (none before revisions
    froze owners)."""
    return "; ".join(f"{o['name']} ({o['country']}, {dec(o['percent']).normalize():f}%)" for o in rows or [])


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100):.1f}%" if whole else "n/a"


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _line_items(s: Snapshot, countries: dict[str, str], sites: dict[int, str]) -> dict[str, Any]:
    by_layer: dict[str, list[dict[str, Any]]] = {layer: [] for layer in Layer.values}
    for row in s["line_items"]:
        by_layer.setdefault(row["layer"], []).append(row)
    layers = []
    total = us_total = hardware = hardware_us = Decimal("0")
    for layer, rows in by_layer.items():
        layer_total = layer_us = Decimal("0")
        lines = []
        for row in rows:
            line = dec(row["unit_value"]) * row["quantity"]
            us = dec(row["us_origin_value"])
            layer_total += line
            layer_us += us
            lines.append(
                ledger_row(
                    [
                        row["description"],
                        row["manufacturer"],
                        row["eccn"] or "unclassified",
                        sites.get(row["site"], "") if row["site"] else "",
                        f"{row['quantity']:,}",
                        usd(dec(row["unit_value"])),
                        usd(line),
                        usd(us),
                    ],
                    ITEM_COLUMNS,
                )
            )
        total += layer_total
        us_total += layer_us
        if layer in HARDWARE_LAYERS:
            hardware += layer_total
            hardware_us += layer_us
        layers.append(
            {
                "key": layer,
                "label": _label(Layer, layer),
                "rows": lines,
                "count": len(lines),
                "total_row": ledger_total(
                    f"{_label(Layer, layer)} total (US-origin {percent(layer_us, layer_total)})",
                    [usd(layer_total), usd(layer_us)],
                    ITEM_COLUMNS,
                ),
            }
        )
    return {
        "layers": layers,
        "item_header": ledger_header(ITEM_COLUMNS),
        "totals": {
            "count": len(s["line_items"]),
            "value": usd(total),
            "us_origin": usd(us_total),
            "us_share": percent(us_total, total),
            "hardware_value": usd(hardware),
            "hardware_us_share": percent(hardware_us, hardware),
        },
        "_raw": (total, us_total),
    }


def dossier_data(
    s: Snapshot, *, revision: int, frozen_at: Any, countries: dict[str, str], rules: Any
) -> dict[str, Any]:
    """The dossier's context from a snapshot (pure: no queries), for the template and the checksum."""
    sites = {row["id"]: row["name"] for row in s["sites"]}
    items = _line_items(s, countries, sites)
    total, us_total = items.pop("_raw")
    f = s["financing"]
    amount = dec(f["amount"]) if f["amount"] else None
    financing_rules: fin.FinancingRules = rules.financing
    confidential = sorted(set(s.get("confidential_sections") or []) & set(S.values))
    return {
        "revision": revision,
        "frozen_on": formats.date_format(timezone.localtime(frozen_at), "j F Y"),
        "title": s["title"],
        "consortium": s["consortium"],
        "summary": s["summary"],
        "target_countries": [countries.get(code, code) for code in s["target_countries"]],
        "target_blocs": s["target_blocs"],
        "use_cases": s["use_cases"],
        "security_measures": s["security_measures"],
        "end_use": s["end_use"],
        "confidential": confidential,
        "confidential_labels": [_label(S, key) for key in S.values if key in confidential],
        "members": [
            {
                "company": m["company"],
                "role": _label(MemberRole, m["role"]),
                "layers": ", ".join(_label(Layer, layer) for layer in m["layers"]),
                "incorporated": countries.get(m["country_of_incorporation"], ""),
                "place_of_business": countries.get(m["principal_place_of_business"], ""),
                "parent": m["ultimate_parent"],
                "parent_country": countries.get(m["ultimate_parent_country"] or "", ""),
                "owners": _owners(m.get("owners")),
            }
            for m in s["members"]
        ],
        "sites": [
            {
                "name": row["name"],
                "city": row["city"],
                "country": countries.get(row["country"], row["country"]),
                "builder": row["builder"],
                "owner": row["owner"],
                "operator": row["operator"],
            }
            for row in s["sites"]
        ],
        **items,
        "parties": [
            {
                "role": _label(PartyRole, row["role"]),
                "name": row["name"],
                "address": row["address"],
                "country": countries.get(row["country"] or "", ""),
                # Revisions frozen before parties carried ownership have none of these keys.
                "headquarters": countries.get(row.get("headquarters_country") or "", ""),
                "parent": row.get("ultimate_parent") or "",
                "parent_country": countries.get(row.get("ultimate_parent_country") or "", ""),
                "owners": _owners(row.get("owners")),
            }
            for row in s["parties"]
        ],
        "financing": {
            "product": _label(EximProduct, f["product"]) if f["product"] else "",
            "amount": usd(amount) if amount is not None else "",
            "local_costs": usd(dec(f["local_costs"])),
            "tenor_years": f["tenor_years"] or "",
            "dfc": bool(f["dfc"]),
            "ustda": bool(f["ustda"]),
            "contract_value": usd(total),
            "cash_payment_min": usd(fin.minimum_cash_payment(contract_price=total, rules=financing_rules)),
            "eligible": usd(
                fin.eligible_financed_amount(contract_price=total, us_content=us_total, rules=financing_rules)
            ),
        },
        "documents": [
            {
                "category": _label(DocumentCategory, d["category"]),
                "name": d["original_name"],
                "sha256": d["sha256"],
            }
            for d in s["documents"]
        ],
        "findings": [
            {
                "code": finding.code,
                "blocking": finding.is_blocking,
                "section": _label(S, finding.section),
                "message": finding.message,
            }
            for finding in evaluate(s, rules=rules)
        ],
    }


def dossier_context(proposal: Proposal, subject_id: int = 0) -> dict[str, Any] | None:
    """The dossier of the proposal's latest revision; None while it has never been submitted."""
    revision = Revision.objects.filter(proposal=proposal, number=proposal.revision_number).first()
    if revision is None:
        return None
    return dossier_data(
        revision.snapshot,
        revision=revision.number,
        frozen_at=revision.created_at,
        countries=dict(Country.objects.values_list("code", "name")),
        rules=completeness_rules(),
    )
