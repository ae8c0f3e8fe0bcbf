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
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE)
    licenses_determine(proposal_id=deal.proposal_id)
    return deal


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
    assert data == {"screened": False, "gates": [], "deal": None}
