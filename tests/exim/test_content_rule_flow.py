"""EXIM's content rule through the real path: intake (completeness) and the deal's terms read the same
`content_rule`, from the same frozen revision."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from proposals.core.enums import DocumentCategory, Layer
from proposals.core.errors import SubmissionIncomplete
from proposals.demo import build_complete_proposal
from proposals.documents.services.uploads import document_add
from proposals.exim.services import deal_compute_terms, deal_open
from proposals.intake.policy.completeness import blocking
from proposals.intake.selectors import proposal_findings
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def items(*, hardware_us: str, software_us: str) -> list[tuple]:
    """A $50M package: $35M of hardware and $15M of cloud and models, each part this share US-origin."""
    return [
        (Layer.CHIPS, "AI accelerators", "Northstar Silicon Inc.", "3A090.a", 1, "20000000", hardware_us),
        (Layer.SERVERS, "AI servers", "Atlas Compute Systems Inc.", "4A090.a", 1, "10000000", hardware_us),
        (Layer.STORAGE, "Storage", "Beacon Cloud LLC", "5A992.c", 1, "2500000", hardware_us),
        (Layer.NETWORKING, "Switch fabric", "Cobalt Networks Corp.", "5A992.c", 1, "2500000", hardware_us),
        (Layer.CLOUD, "Cloud control plane", "Beacon Cloud LLC", "5D992.c", 1, "7500000", software_us),
        (Layer.APPLICATION, "Clinical model", "Delphi Models Inc.", "EAR99", 1, "7500000", software_us),
    ]


def submit(proposal, lead) -> str:
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    return intake_check(proposal_id=proposal.pk)


def terms_of(proposal) -> dict:
    deal = deal_open(proposal_id=proposal.pk)
    return deal_compute_terms(deal_id=deal.pk).terms


def test_content_rule_transformational_50m_package_70_percent_us_financed_42_5m(consortium, lead):
    # $35M of US content (70%): the request of 85% of the contract passes intake and the terms agree.
    proposal = build_complete_proposal(
        consortium=consortium,
        lead=lead,
        title="AI package at 70% US content",
        items=items(hardware_us="1.00", software_us="0.00"),
        amount=Decimal("42500000"),
    )
    assert submit(proposal, lead) == "accept_for_review"
    terms = terms_of(proposal)
    assert (terms["eligible_financed"], terms["cash_payment"]) == ("42500000.00", "7500000.00")
    assert terms["transformational"] is True
    assert not [f for f in terms["findings"] if f["status"] == "blocking"]


def test_us_jobs_plan_required_below_51_percent_by_submission_and_by_the_terms(consortium, lead):
    # Hardware 60% US (the program's hardware presumption holds) but the package 42% US: below 51%.
    proposal = build_complete_proposal(
        consortium=consortium,
        lead=lead,
        title="AI package at 42% US content",
        items=items(hardware_us="0.60", software_us="0.00"),
        amount=Decimal("21000000"),
    )
    assert [f.code for f in blocking(proposal_findings(proposal))] == ["US_JOBS_PLAN_MISSING"]
    with pytest.raises(SubmissionIncomplete):
        submit(proposal, lead)
    document_add(
        proposal_id=proposal.pk,
        actor=lead,
        category=DocumentCategory.US_JOBS_PLAN,
        upload=ContentFile(PDF, name="us-jobs-plan.pdf"),
    )
    assert submit(proposal, lead) == "accept_for_review"
    terms = terms_of(proposal)
    assert terms["eligible_financed"] == "21000000.00"  # the standard rule: the US content
    statuses = {f["code"]: f["status"] for f in terms["findings"]}
    assert statuses["CONTENT_BELOW_TRANSFORMATIONAL_MIN"] == "attention"
    assert statuses["US_JOBS_PLAN_ATTACHED"] == "attention"
    assert "US_JOBS_PLAN_MISSING" not in statuses
