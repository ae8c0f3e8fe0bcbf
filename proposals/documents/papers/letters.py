"""Letters' data: the Commerce license determination letter (one per decided gate), the EXIM term
sheet and final commitment letter (one per deal). Each is registered in `proposals.documents.papers.PAPERS`.
"""

from typing import Any

from django.utils import formats, timezone

from proposals.commerce.models import LicenseGate
from proposals.core.enums import (
    DEAL_COMMITTED_STAGES,
    DECIDED_GATE_STATUSES,
    DealStage,
    EximProduct,
    GateStatus,
)
from proposals.core.models.audit import AuditEvent
from proposals.documents.papers.dossier import usd
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.policy.snapshot import dec


def license_letter_context(proposal: Proposal, gate_id: int) -> dict[str, Any] | None:
    """The determination on one gate; None while the gate is open (or closed as not required)."""
    gate = (
        LicenseGate.objects.select_related("destination", "policy_version", "decided_by")
        .filter(pk=gate_id, proposal=proposal, status__in=DECIDED_GATE_STATUSES)
        .first()
    )
    if gate is None:
        return None
    revision = Revision.objects.filter(proposal=proposal, number=proposal.revision_number).first()
    covered = set(gate.line_item_ids or [])
    items = [
        {
            "description": row["description"],
            "manufacturer": row["manufacturer"],
            "quantity": f"{row['quantity']:,}",
            "value": usd(dec(row["unit_value"]) * row["quantity"]),
        }
        for row in (revision.snapshot["line_items"] if revision else [])
        if row["id"] in covered
    ]
    decided_at = timezone.localtime(gate.decided_at) if gate.decided_at else None
    return {
        "revision": proposal.revision_number,
        "reference": f"ExportAI-{proposal.pk}-G{gate.pk}",
        "title": proposal.title,
        "consortium": proposal.consortium.name,
        "eccn": gate.eccn,
        "destination": gate.destination.name,
        "decision": GateStatus(gate.status).label,
        "approved": gate.status in (GateStatus.APPROVED, GateStatus.APPROVED_WITH_CONDITIONS),
        "conditions": gate.conditions,
        "reason": gate.reason,
        "rule": gate.rule_code,
        "rule_description": gate.rule_description,
        "policy": f"v{gate.policy_version.number}: {gate.policy_version.name}",
        "decided_on": formats.date_format(decided_at, "j F Y") if decided_at else "",
        "decided_by": str(gate.decided_by) if gate.decided_by_id else "",
        "items": items,
    }


# --- EXIM: term sheet (once terms are computed) and final commitment letter -------------------------

MONEY_TERMS = (
    ("net_contract_price", "Net contract price"),
    ("us_content", "US content"),
    ("cash_payment_min", "Minimum cash payment"),
    ("cash_payment", "Cash payment"),
    ("eligible_financed", "Eligible for financing"),
    ("local_costs", "Local costs"),
    ("local_costs_cap", "Local costs cap"),
    ("local_costs_financed", "Local costs financed"),
    ("amount_requested", "Amount requested"),
    ("financed_amount", "Amount financed"),
)


def _deal_header(proposal: Proposal, deal: Deal) -> dict[str, Any]:
    t = deal.terms or {}
    return {
        "reference": f"ExportAI-{proposal.pk}-D{deal.pk}",
        "title": proposal.title,
        "consortium": proposal.consortium.name,
        "stage": DealStage(deal.stage).label,
        "destination": deal.destination.name if deal.destination_id else "",
        "product": EximProduct(t["product"]).label if t.get("product") in EximProduct.values else "",
        "tenor": f"{t['tenor_years']} years" if t.get("tenor_years") else "",
        "financed": usd(dec(t.get("financed_amount"))),
    }


def term_sheet_context(proposal: Proposal, deal_id: int) -> dict[str, Any] | None:
    """The deal's computed terms; None until the terms have been computed."""
    deal = Deal.objects.select_related("destination").filter(pk=deal_id, proposal=proposal).first()
    if deal is None or not deal.terms:
        return None
    t = deal.terms
    share = dec(t.get("us_content_share"))
    return {
        **_deal_header(proposal, deal),
        "revision": deal.terms_revision,
        "money": [(label, usd(dec(t.get(key)))) for key, label in MONEY_TERMS],
        "facts": [
            ("US content share", f"{share * 100:.1f}%"),
            ("Transformational sector support", "Yes" if t.get("transformational") else "No"),
            ("Term class", str(t.get("term_class", "")).capitalize()),
            ("OECD category", t.get("oecd_category", "")),
            (
                "Maximum tenor",
                f"{t.get('max_tenor_years')} years ({t.get('max_tenor_with_notice_years')} with notice)",
            ),
            ("Board approval required", "Yes" if t.get("board_required") else "No"),
            ("Congressional notification required", "Yes" if t.get("congress_required") else "No"),
        ],
        "findings": [f.get("message", "") if isinstance(f, dict) else str(f) for f in t.get("findings", [])],
    }


def commitment_letter_context(proposal: Proposal, deal_id: int) -> dict[str, Any] | None:
    """The final commitment; None until the deal has been authorized."""
    deal = Deal.objects.select_related("destination").filter(pk=deal_id, proposal=proposal).first()
    if deal is None or deal.stage not in DEAL_COMMITTED_STAGES:
        return None
    event = (
        AuditEvent.objects.filter(proposal=proposal, subject="deal", to_state=DealStage.FINAL_COMMITMENT)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    committed_at = timezone.localtime(event.created_at) if event else None
    return {
        **_deal_header(proposal, deal),
        "revision": deal.terms_revision,
        "committed_on": formats.date_format(committed_at, "j F Y") if committed_at else "",
        "committed_by": event.actor_label if event else "",
        "reason": event.reason if event else "",
    }
