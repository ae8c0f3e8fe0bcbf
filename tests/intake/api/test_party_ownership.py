"""/api/proposals/<id>/parties/: headquarters, ultimate parent and owners of a party."""

import pytest

from proposals.intake.models.proposal import Party

pytestmark = pytest.mark.django_db

PARTY = {
    "role": "end_user",
    "name": "Kenya Ministry of Health",
    "address": "Afya House, Nairobi",
    "country": "GB",
    "headquarters_country": "VE",
    "ultimate_parent": "Lotus Holdings",
    "ultimate_parent_country": "MO",
}


def url(proposal, pk: int | None = None) -> str:
    return f"/api/proposals/{proposal.pk}/parties/" + (f"{pk}/" if pk else "")


def test_party_headquarters_and_parent_saved_and_read_back(as_lead, draft):
    created = as_lead.post(url(draft), PARTY, format="json")
    assert created.status_code == 201
    party = Party.objects.get()
    assert (party.country_id, party.headquarters_country_id, party.ultimate_parent_country_id) == (
        "GB",
        "VE",
        "MO",
    )
    body = as_lead.get(url(draft, party.pk)).json()
    assert {k: body[k] for k in PARTY} == PARTY


def test_party_unknown_headquarters_country_is_a_field_error_and_saves_nothing(as_lead, draft):
    response = as_lead.post(url(draft), {**PARTY, "headquarters_country": "XX"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["headquarters_country"]
    assert not Party.objects.exists()
