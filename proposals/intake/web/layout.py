"""The editor's frame: its sections, the checklist beside them, and the links from findings to fields."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from proposals.commerce.selectors import information_requests_of
from proposals.core.enums import AUTOMATED_STATUSES, ProposalStatus, Section
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.completeness import Finding
from proposals.intake.selectors import may_start_proposal, proposal_findings
from proposals.intake.workflow import PROPOSAL_TRANSITIONS

SECTION_URLS = {
    Section.OVERVIEW: "proposal-detail",
    Section.CONSORTIUM: "proposal-consortium",
    Section.SITES: "proposal-sites",
    Section.ITEMS: "proposal-items",
    Section.PARTIES: "proposal-parties",
    Section.FINANCING: "proposal-financing",
    Section.DOCUMENTS: "proposal-documents",
    Section.SUBMIT: "proposal-submit",
}
TIMELINE = "timeline"
PROGRESS = "progress"
# How often the status badge asks whether automated intake has finished.
STATUS_POLL_SECONDS = 3


def section_url(proposal_id: int, section: str) -> str:
    return reverse(SECTION_URLS[Section(section)], kwargs={"pk": proposal_id})


def field_anchor(field: str) -> str:
    """The element id a finding's field is rendered under: `items.12.eccn` -> `f-items-12-eccn`."""
    return "f-" + field.replace(".", "-")


@dataclass(frozen=True)
class ChecklistEntry:
    finding: Finding
    url: str


def checklist_entries(proposal_id: int, findings: list[Finding]) -> list[ChecklistEntry]:
    return [
        ChecklistEntry(f, f"{section_url(proposal_id, f.section)}#{field_anchor(f.field)}") for f in findings
    ]


def checklist_context(proposal: Proposal) -> dict[str, Any]:
    findings = proposal_findings(proposal)
    blocking = [f for f in findings if f.is_blocking]
    return {
        "checklist": checklist_entries(proposal.pk, findings),
        "blocking_count": len(blocking),
        "warning_count": len(findings) - len(blocking),
    }


def status_context(proposal: Proposal) -> dict[str, Any]:
    return {"polling": proposal.status in AUTOMATED_STATUSES, "poll_seconds": STATUS_POLL_SECONDS}


def abilities(user: Any, proposal: Proposal) -> dict[str, bool]:
    """What the page offers this user; the services check again when the user acts."""
    withdraw = PROPOSAL_TRANSITIONS["withdraw"]
    return {
        "can_edit": user.has_perm("proposals.change_proposal", proposal),
        "can_submit": user.has_perm("proposals.submit_proposal", proposal),
        "can_withdraw": user.has_perm("proposals.withdraw_proposal", proposal)
        and proposal.status in withdraw.sources,
        # Offered for a never-submitted draft; the confirmation page says why not for one with history.
        "can_delete": user.has_perm("proposals.delete_proposal", proposal)
        and proposal.status == ProposalStatus.DRAFT
        and not proposal.revision_number,
        "can_copy": may_start_proposal(user),
    }


def render_section(
    request: HttpRequest, proposal: Proposal, section: str, template: str, **context: Any
) -> HttpResponse:
    """Render a section inside the editor frame (or only the section, for an htmx swap)."""
    nav = [
        {"key": s.value, "label": s.label, "url": section_url(proposal.pk, s), "current": s == section}
        for s in SECTION_URLS
    ]
    nav.append(
        {
            "key": TIMELINE,
            "label": "Timeline",
            "url": reverse("proposal-timeline", kwargs={"pk": proposal.pk}),
            "current": section == TIMELINE,
        }
    )
    if proposal.revision_number:  # once submitted: where the federal review stands
        nav.append(
            {
                "key": PROGRESS,
                "label": "Federal review",
                "url": reverse("proposal-progress", kwargs={"pk": proposal.pk}),
                "current": section == PROGRESS,
            }
        )
    nav.append(
        {
            "key": "messages",
            "label": "Messages",
            "url": reverse("proposal-messages", kwargs={"pk": proposal.pk}),
            "current": False,
        }
    )
    frame = "proposals/_section_only.html" if request.htmx else "proposals/editor.html"
    context = {
        "proposal": proposal,
        "section": section,
        "sections": nav,
        "frame": frame,
        **abilities(request.user, proposal),
        **status_context(proposal),
        **context,
    }
    if not request.htmx:
        context.update(checklist_context(proposal))
        if proposal.revision_number:  # reviewers' questions exist only once it was submitted
            context["information_requests"] = information_requests_of(proposal=proposal)
    return render(request, template, context)
