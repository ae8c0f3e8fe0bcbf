"""The designation letter's data: a package designated a priority AI export package (one per panel)."""

from typing import Any

from django.utils import formats, timezone

from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel
from proposals.intake.models.proposal import Proposal


def designation_letter_context(proposal: Proposal, panel_id: int) -> dict[str, Any] | None:
    """The designation and its reasons; None unless the panel designated the package."""
    panel = (
        Panel.objects.select_related("determined_by", "rubric__call")
        .filter(pk=panel_id, proposal=proposal, status=PanelStatus.DESIGNATED)
        .first()
    )
    if panel is None or panel.designated_at is None:
        return None
    designated_at = timezone.localtime(panel.designated_at)
    return {
        "revision": proposal.revision_number,
        "reference": f"ExportAI-{proposal.pk}-E{panel.pk}",
        "title": proposal.title,
        "consortium": proposal.consortium.name,
        "call": panel.rubric.call.name,
        "citation": panel.rubric.call.federal_register_citation,
        "designated_on": formats.date_format(designated_at, "j F Y"),
        "designated_by": str(panel.determined_by) if panel.determined_by_id else "",
        "reason": panel.determination_reason,
        "public_summary": panel.public_summary,
    }
