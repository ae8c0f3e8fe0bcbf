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


@pytest.fixture(autouse=True)
def _designation_not_required(request) -> None:
    """These tests are about this area's own checks: EXIM's designation requirement is off here
    (tests/evaluation/test_designation_required.py proves it on and off)."""
    from tests.conftest import designation_requirement

    designation_requirement(request, required=False)
