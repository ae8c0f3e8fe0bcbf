"""Letters' data: the Commerce license determination letter (one per decided gate).

The EXIM term sheet and final commitment letter register here the same way once the EXIM track's
deal model is on main: a context function per letter and an entry in `proposals.pdf.PAPERS`.
"""

from typing import Any

from django.utils import formats, timezone

from proposals.enums import DECIDED_GATE_STATUSES, GateStatus
from proposals.models import LicenseGate, Proposal, Revision
from proposals.pdf.dossier import usd
from proposals.snapshot import dec


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
