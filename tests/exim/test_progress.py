"""The consortium's view of the federal review (web "Federal review" section and /progress/ API)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from proposals.commerce.models import LicenseGate
from proposals.commerce.services.licensing import licenses_determine
from proposals.core.enums import DealStage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(make_deal):
    """Licenses determined (two gates open), not yet decided."""
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, determine=False)
    licenses_determine(proposal_id=deal.proposal_id)
    return deal


def progress_of(user, proposal_id: int) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    return api.get(reverse("api-proposal-progress", args=[proposal_id])).json()


def test_progress_shows_the_lead_gates_and_the_deal_stage(client, lead, deal):
    client.force_login(lead)
    response = client.get(reverse("proposal-progress", args=[deal.proposal_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Credit committee" in body and "Federal review" in body
    for gate in LicenseGate.objects.filter(proposal_id=deal.proposal_id):
        assert gate.eccn in body


def test_progress_api_gives_gates_and_deal(lead, deal):
    api = APIClient()
    api.force_authenticate(lead)
    data = api.get(reverse("api-proposal-progress", args=[deal.proposal_id])).json()
    assert data["deal"]["stage"] == "credit_committee"
    assert data["deal"]["financed_amount"] == deal.terms["financed_amount"]
    assert data["screened"] is True
    assert len(data["gates"]) == LicenseGate.objects.filter(proposal_id=deal.proposal_id).count() > 0
    assert {g["status"] for g in data["gates"]} == {"open"}


def test_progress_is_not_another_consortiums(deal, outsider):
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(reverse("api-proposal-progress", args=[deal.proposal_id])).status_code == 404
    assert APIClient().get(reverse("api-proposal-progress", args=[deal.proposal_id])).status_code == 401


def test_progress_of_a_draft_is_empty_and_not_in_the_sections(client, lead, complete_proposal):
    client.force_login(lead)
    editor = client.get(reverse("proposal-detail", args=[complete_proposal.pk])).content.decode()
    assert "Federal review" not in editor
    api = APIClient()
    api.force_authenticate(lead)
    data = api.get(reverse("api-proposal-progress", args=[complete_proposal.pk])).json()
    assert data == {
        "screened": False,
        "delayed": False,
        "commerce": {
            "state": "not_in_review",
            "headline": "Commerce reviews the proposal while it is in review.",
            "cleared_at": None,
        },
        "gates": [],
        "deal": None,
    }


# --- Where Commerce stands, in the consortium's words (issue 13.8) ----------------------------------


def test_consortium_standing_pending_determination_when_licenses_not_determined(make_deal, lead, client):
    deal = make_deal(determine=False)
    data = progress_of(lead, deal.proposal_id)
    assert data["commerce"]["state"] == "pending_determination"
    assert data["commerce"]["headline"] == "License determination pending."
    assert data["gates"] == []
    client.force_login(lead)
    assert (
        "License determination pending."
        in client.get(reverse("proposal-progress", args=[deal.proposal_id])).content.decode()
    )


def test_consortium_standing_licenses_required_names_eccn_country_status_and_conditions(
    deal, lead, commerce_reviewer, client
):
    from proposals.commerce.services.review import gate_decide

    chips = LicenseGate.objects.get(proposal_id=deal.proposal_id, eccn="3A090.a")
    gate_decide(
        gate_id=chips.pk,
        action="approve_with_conditions",
        actor=commerce_reviewer,
        reason="Standard provisos.",
        conditions="No re-export.",
    )
    data = progress_of(lead, deal.proposal_id)
    assert (data["commerce"]["state"], data["commerce"]["headline"]) == (
        "licenses_required",
        "Licenses required: 1 not yet in place.",
    )
    assert [(g["eccn"], g["destination_name"], g["status"], g["conditions"]) for g in data["gates"]] == [
        (
            "3A090.a",
            "United Arab Emirates",
            "approved_with_conditions",
            "No re-export.",
        ),
        ("4A090.a", "United Arab Emirates", "open", ""),
    ]
    client.force_login(lead)
    body = client.get(reverse("proposal-progress", args=[deal.proposal_id])).content.decode()
    assert "Licenses required: 1 not yet in place." in body
    assert "Conditions: No re-export." in body


def test_consortium_standing_cleared_on_a_date(make_deal, lead, client):
    from django.utils import timezone

    from proposals.commerce.selectors import commerce_clearance

    deal = make_deal()
    clearance = commerce_clearance(proposal_id=deal.proposal_id)
    assert clearance.cleared
    day = timezone.localtime(clearance.cleared_at).strftime("%-d %b %Y")
    data = progress_of(lead, deal.proposal_id)
    assert data["commerce"]["state"] == "cleared"
    assert data["commerce"]["headline"] == f"Cleared by Commerce on {day}."
    assert {g["status"] for g in data["gates"]} == {"approved"}
    client.force_login(lead)
    body = client.get(reverse("proposal-progress", args=[deal.proposal_id])).content.decode()
    assert f"Cleared by Commerce on {day}." in body


def test_consortium_standing_screening_match_shows_only_review_in_progress(make_deal, lead, client):
    from proposals.core.enums import HitStatus
    from tests.factories import screening_hit

    deal = make_deal()
    screening_hit(deal.proposal, HitStatus.CONFIRMED)
    data = progress_of(lead, deal.proposal_id)
    assert (data["commerce"]["state"], data["commerce"]["headline"]) == (
        "in_progress",
        "Commerce review in progress.",
    )
    client.force_login(lead)
    body = client.get(reverse("proposal-progress", args=[deal.proposal_id])).content.decode()
    assert "Commerce review in progress." in body
    for secret in ("ACME PRECISION", "Entity List", "Acme Precision"):
        assert secret not in body and secret not in str(data)
