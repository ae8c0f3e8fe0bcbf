"""A new consortium user's whole journey in the browser: start a draft, complete every section, submit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal
from tests.fixtures.media import KENYA_BOM_CSV, PDF

pytestmark = pytest.mark.django_db


def ok(response) -> None:
    """A save succeeded: the view redirected back (a form with errors answers 200)."""
    assert response.status_code == 302, response.content.decode()[:2000]


def test_new_proposal_can_be_created_completed_and_submitted(lead_client, consortium, call):
    ok(
        lead_client.post(
            reverse("proposal-create"),
            {"consortium": consortium.pk, "call": call.pk, "title": "Kenya AI cloud"},
        )
    )
    proposal = Proposal.objects.get(title="Kenya AI cloud")
    url = lambda name: reverse(name, kwargs={"pk": proposal.pk})  # noqa: E731
    ok(
        lead_client.post(
            url("proposal-detail"),
            {
                "title": "Kenya AI cloud",
                "summary": "Sovereign AI cloud for agriculture.",
                "target_countries": ["KE"],
                "security_measures": "Encrypted weights, US-run SOC.",
            },
        )
    )
    ok(
        lead_client.post(
            url("proposal-sites"),
            {
                "site-name": "Nairobi Campus",
                "site-country": "KE",
                "site-city": "Nairobi",
                "site-builder": "Build Co",
                "site-owner": "Owner Co",
                "site-operator": "Operate Co",
            },
        )
    )
    upload = SimpleUploadedFile("bom.csv", KENYA_BOM_CSV.encode())
    ok(lead_client.post(url("proposal-items-import"), {"file": upload}))
    for role in ("purchaser", "ultimate_consignee", "end_user"):
        ok(
            lead_client.post(
                url("proposal-parties"),
                {
                    "party-role": role,
                    "party-name": f"{role} Ltd",
                    "party-address": "1 Road",
                    "party-country": "KE",
                },
            )
        )
    ok(lead_client.post(url("proposal-end-use"), {"end_use": "Crop-yield forecasting for farmers."}))
    ok(
        lead_client.post(
            url("proposal-financing"),
            {
                "exim_product": "direct_loan",
                "financing_amount": "5000000",
                "local_costs": "0",
                "tenor_years": "8",
            },
        )
    )
    for category in ("security_plan", "financial"):
        upload = SimpleUploadedFile(f"{category}.pdf", io.BytesIO(PDF).read())
        ok(lead_client.post(url("proposal-documents"), {"category": category, "file": upload}))
    checklist = lead_client.get(url("proposal-checklist")).content.decode()
    assert "Nothing blocks submission." in checklist
    ok(lead_client.post(url("proposal-submit")))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.revision_number, proposal.line_items.count()) == (
        ProposalStatus.SUBMITTED,
        1,
        6,
    )
