"""Completeness: a member or party owned 50%+ from countries of concern is not eligible, and the
dossier lists every party's headquarters, parent and owners."""

from decimal import Decimal

import pytest

from proposals.intake.models.consortium import Owner
from proposals.intake.policy.completeness import CompletenessRules, evaluate
from proposals.intake.selectors import proposal_snapshot

pytestmark = pytest.mark.django_db


def findings(proposal, code):
    return [
        (f.field, f.message)
        for f in evaluate(proposal_snapshot(proposal), rules=CompletenessRules())
        if f.code == code
    ]


def test_completeness_party_owned_50_percent_from_countries_of_concern_in_aggregate(complete_proposal):
    party = complete_proposal.parties.get(role="end_user")
    Owner.objects.create(party=party, name="Shenzhen Capital", country_id="CN", percent=Decimal("30"))
    Owner.objects.create(party=party, name="Harbour Holdings", country_id="HK", percent=Decimal("25"))
    assert findings(complete_proposal, "PARTY_OWNED_FROM_CONCERN") == [
        (
            f"parties.{party.pk}.owners",
            f"{party.name} is 55% owned from countries of concern; such parties are not eligible. "
            "Name another party.",
        )
    ]


def test_completeness_party_owned_under_50_percent_from_countries_of_concern_is_fine(complete_proposal):
    party = complete_proposal.parties.get(role="end_user")
    Owner.objects.create(party=party, name="Shenzhen Capital", country_id="CN", percent=Decimal("49.99"))
    Owner.objects.create(party=party, name="Gulf Fund", country_id="AE", percent=Decimal("50.01"))
    assert findings(complete_proposal, "PARTY_OWNED_FROM_CONCERN") == []


def test_completeness_member_owned_from_a_country_of_concern(complete_proposal):
    member = complete_proposal.consortium.members.order_by("pk").first()
    Owner.objects.create(
        company=member.company, name="Macau Ventures", country_id="MO", percent=Decimal("60")
    )
    assert findings(complete_proposal, "MEMBER_OWNED_FROM_CONCERN") == [
        (
            f"members.{member.pk}",
            f"{member.company.legal_name} is 60% owned from countries of concern and is not eligible; "
            "remove it from the consortium.",
        )
    ]


def test_snapshot_freezes_owners_of_members_and_parties(complete_proposal):
    member = complete_proposal.consortium.members.order_by("pk").first()
    party = complete_proposal.parties.get(role="end_user")
    Owner.objects.create(
        company=member.company, name="Atlas Family Trust", country_id="US", percent=Decimal("60")
    )
    Owner.objects.create(party=party, name="Gulf Fund", country_id="AE", percent=Decimal("45.5"))
    snapshot = proposal_snapshot(complete_proposal)
    assert [m["owners"] for m in snapshot["members"] if m["id"] == member.pk] == [
        [{"name": "Atlas Family Trust", "country": "US", "percent": "60.00"}]
    ]
    assert [p["owners"] for p in snapshot["parties"] if p["id"] == party.pk] == [
        [{"name": "Gulf Fund", "country": "AE", "percent": "45.50"}]
    ]
