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


OWNERS = [
    {"name": "Lotus Holdings", "country": "MO", "percent": "30.00"},
    {"name": "Gulf Pension Fund", "country": "AE", "percent": "45.00"},
]


def test_party_owners_saved_and_read_back(as_lead, draft):
    created = as_lead.post(url(draft), {**PARTY, "owners": OWNERS}, format="json")
    assert created.status_code == 201
    assert created.json()["owners"] == OWNERS
    party = Party.objects.get()
    listed = as_lead.get(url(draft)).json()["results"]
    assert [p["owners"] for p in listed] == [OWNERS]
    # PATCH without owners keeps them; with [] clears them.
    as_lead.patch(url(draft, party.pk), {"name": "Renamed"}, format="json")
    assert party.owners.count() == 2
    assert as_lead.patch(url(draft, party.pk), {"owners": []}, format="json").json()["owners"] == []


def test_party_owners_summing_past_100_refused_with_a_field_error_and_nothing_changed(as_lead, draft):
    created = as_lead.post(url(draft), {**PARTY, "owners": OWNERS}, format="json").json()
    too_much = [*OWNERS, {"name": "Third", "country": "US", "percent": "26"}]
    response = as_lead.patch(
        url(draft, created["id"]), {"name": "Renamed", "owners": too_much}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "owners": ["The owners' percentages add up to 101%; together they can hold at most 100%."]
    }
    party = Party.objects.get()
    assert (party.name, list(party.owners.order_by("pk").values_list("name", flat=True))) == (
        PARTY["name"],
        ["Lotus Holdings", "Gulf Pension Fund"],
    )


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ({"name": "X", "country": "XX", "percent": "10"}, "Owner 1: no country has the code “XX”."),
        (
            {"name": "X", "country": "US", "percent": "0"},
            "Owner 1: the percentage must be more than 0 and at most 100.",
        ),
        (
            {"name": "X", "country": "US", "percent": "150"},
            "Owner 1: the percentage must be more than 0 and at most 100.",
        ),
    ],
)
def test_party_owner_unknown_country_or_share_out_of_range_refused(as_lead, draft, owner, message):
    response = as_lead.post(url(draft), {**PARTY, "owners": [owner]}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"owners": [message]}
    assert not Party.objects.exists()


def test_party_owners_bounded_in_number(as_lead, draft):
    many = [{"name": f"Owner {n}", "country": "US", "percent": "0.5"} for n in range(101)]
    response = as_lead.post(url(draft), {**PARTY, "owners": many}, format="json")
    assert (response.status_code, response.json()["extra"]["fields"]) == (
        400,
        {"owners": ["List at most 100 owners; give the largest ones."]},
    )
    assert not Party.objects.exists()
