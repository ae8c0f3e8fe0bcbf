"""The Members page: a company's owners, one a line, checked as a whole."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.core.enums import MemberRole
from proposals.intake.models.consortium import Owner

pytestmark = pytest.mark.django_db


def _edit_url(consortium, member) -> str:
    return reverse("consortium-member", kwargs={"consortium_pk": consortium.pk, "member_pk": member.pk})


def _form(member, owners: str) -> dict:
    company = member.company
    return {
        "legal_name": company.legal_name,
        "role": member.role,
        "layers": member.layers,
        "country_of_incorporation": company.country_of_incorporation_id,
        "principal_place_of_business": company.principal_place_of_business_id,
        "ultimate_parent": company.ultimate_parent,
        "ultimate_parent_country": company.ultimate_parent_country_id or "",
        "owners": owners,
    }


def test_member_owners_edited_on_the_members_page(lead_client, consortium):
    member = consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first()
    url = _edit_url(consortium, member)
    response = lead_client.post(url, _form(member, "Atlas Family Trust; US; 60\nGulf Fund; AE; 40"))
    assert response.status_code == 302
    assert list(Owner.objects.filter(company=member.company).values_list("name", "percent")) == [
        ("Atlas Family Trust", Decimal("60.00")),
        ("Gulf Fund", Decimal("40.00")),
    ]
    page = lead_client.get(reverse("consortium-members", kwargs={"consortium_pk": consortium.pk}))
    assert "Atlas Family Trust (US, 60%)" in page.content.decode()
    assert "Atlas Family Trust; US; 60" in lead_client.get(url).content.decode()


def test_member_owners_past_100_are_a_field_error_and_change_nothing(lead_client, consortium):
    member = consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first()
    form = {**_form(member, "A; US; 70\nB; ZZ; 40"), "legal_name": "Renamed Inc."}
    response = lead_client.post(_edit_url(consortium, member), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-owners-error"' in html
    assert "Owner 2: no country has the code “ZZ”." in html
    assert "add up to 110%" in html
    member.company.refresh_from_db()
    assert member.company.legal_name != "Renamed Inc."
    assert not Owner.objects.exists()
