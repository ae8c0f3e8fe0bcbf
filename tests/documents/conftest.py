"""Generated papers write to a temporary media directory; helpers read a PDF's text back."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.fixtures.media import _media_in_tmp  # noqa: F401 (autouse fixture)


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


@pytest.fixture
def submitted(complete_proposal, lead):
    """The complete proposal with two sections flagged confidential, submitted as revision 1."""
    from proposals.intake.services.drafting import proposal_update
    from proposals.intake.services.transitions import proposal_transition

    proposal_update(
        proposal_id=complete_proposal.pk, actor=lead, data={"confidential_sections": ["items", "financing"]}
    )
    return proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
