"""/api/consortia/<id>/members/: a member's company lists its owners, checked as a whole."""

import pytest

from proposals.core.enums import MemberRole
from proposals.intake.models.consortium import Owner

pytestmark = pytest.mark.django_db

OWNERS = [
    {"name": "Atlas Family Trust", "country": "US", "percent": "60.00"},
    {"name": "Gulf Sovereign Fund", "country": "AE", "percent": "40.00"},
]


def url(consortium, member=None) -> str:
    base = f"/api/consortia/{consortium.pk}/members/"
    return base if member is None else f"{base}{member.pk}/"


def test_member_created_with_owners(as_lead, consortium):
    new = {
        "legal_name": "Gulf Fabric Networks LLC",
        "country_of_incorporation": "US",
        "principal_place_of_business": "AE",
        "owners": OWNERS,
    }
    response = as_lead.post(url(consortium), new, format="json")
    assert response.status_code == 201
    assert response.json()["company"]["owners"] == OWNERS


def test_member_owners_summing_past_100_refused_with_a_field_error_and_nothing_changed(as_lead, consortium):
    member = consortium.members.get(role=MemberRole.ANCHOR)
    assert as_lead.patch(url(consortium, member), {"owners": OWNERS}, format="json").status_code == 200
    response = as_lead.patch(
        url(consortium, member),
        {
            "legal_name": "Renamed Inc.",
            "owners": [*OWNERS, {"name": "Third", "country": "GB", "percent": "5"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "owners": ["The owners' percentages add up to 105%; together they can hold at most 100%."]
    }
    member.company.refresh_from_db()
    assert member.company.legal_name != "Renamed Inc."
    assert list(Owner.objects.filter(company=member.company).values_list("name", flat=True)) == [
        "Atlas Family Trust",
        "Gulf Sovereign Fund",
    ]


def test_member_owner_with_unknown_country_refused(as_lead, consortium):
    member = consortium.members.get(role=MemberRole.ANCHOR)
    response = as_lead.patch(
        url(consortium, member), {"owners": [{"name": "X", "country": "ZZ", "percent": "5"}]}, format="json"
    )
    assert (response.status_code, response.json()["extra"]["fields"]) == (
        400,
        {"owners": ["Owner 1: no country has the code “ZZ”."]},
    )
    assert not Owner.objects.exists()


def test_member_owners_given_with_an_existing_company_refused(as_lead, consortium):
    response = as_lead.post(
        url(consortium), {"existing_company": "Anything", "owners": OWNERS}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["owners"]
