"""The admin edits a company's or a party's owners inline, refusing shares past 100% together."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals.intake.models.consortium import Owner
from tests.factories import CompanyFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def as_admin(client):
    admin = UserFactory(username="owners-admin", agency="program", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="Admin authenticator", confirmed=True)
    client.force_login(admin)
    return client


def _post(company, owners):
    data = {
        "legal_name": company.legal_name,
        "country_of_incorporation": company.country_of_incorporation_id,
        "principal_place_of_business": company.principal_place_of_business_id,
        "ultimate_parent": "",
        "ultimate_parent_country": "",
        "owners-TOTAL_FORMS": str(len(owners)),
        "owners-INITIAL_FORMS": "0",
        "owners-MIN_NUM_FORMS": "0",
        "owners-MAX_NUM_FORMS": "1000",
    }
    for n, (name, country, percent) in enumerate(owners):
        data |= {f"owners-{n}-name": name, f"owners-{n}-country": country, f"owners-{n}-percent": percent}
    if company.entered_by_id:
        data["entered_by"] = company.entered_by_id
    return data


def test_owner_admin_saves_owners_within_100_percent(as_admin):
    company = CompanyFactory()
    response = as_admin.post(
        f"/admin/proposals/company/{company.pk}/change/",
        _post(company, [("A", "US", "60"), ("B", "AE", "40")]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Owner.objects.filter(company=company).count() == 2


def test_owner_admin_refuses_owners_past_100_percent_and_saves_nothing(as_admin):
    company = CompanyFactory()
    response = as_admin.post(
        f"/admin/proposals/company/{company.pk}/change/",
        _post(company, [("A", "US", "60"), ("B", "AE", "41")]),
    )
    assert response.status_code == 200
    assert "add up to 101%" in response.content.decode()
    assert not Owner.objects.exists()
