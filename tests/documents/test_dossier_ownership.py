"""The dossier lists each party's headquarters, ultimate parent and owners, as the revision froze them."""

from decimal import Decimal

import pytest

from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument
from proposals.documents.services.generated import generated_render
from proposals.intake.models.consortium import Owner
from proposals.intake.models.proposal import Party
from proposals.intake.services.transitions import proposal_transition
from tests.documents.conftest import pdf_pages

pytestmark = pytest.mark.django_db


def test_dossier_lists_party_headquarters_parent_and_owners(complete_proposal, lead):
    party = complete_proposal.parties.get(role="end_user")
    Party.objects.filter(pk=party.pk).update(
        headquarters_country_id="GB", ultimate_parent="Lotus Holdings", ultimate_parent_country_id="SG"
    )
    Owner.objects.create(party=party, name="Gulf Fund", country_id="AE", percent=Decimal("45.5"))
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert generated_render(proposal_id=complete_proposal.pk, kind=GeneratedKind.DOSSIER) == "rendered"
    doc = GeneratedDocument.objects.get(proposal=complete_proposal, kind=GeneratedKind.DOSSIER)
    with doc.file.open("rb") as f:
        text = " ".join("\n".join(pdf_pages(f.read())).split())
    assert "United Kingdom" in text
    assert "Lotus Holdings (Singapore)" in text
    assert "Gulf Fund (AE, 45.5%)" in text
