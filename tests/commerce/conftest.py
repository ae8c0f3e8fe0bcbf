"""Commerce fixtures: a proposal in review, a small screening list in the official format, reviewers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import information_request_create
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.commerce.csl_fixture import SDN, csl_row, write_csl_csv
from tests.factories import CommerceReviewerFactory


@pytest.fixture
def in_review(complete_proposal, lead):
    """The complete UAE proposal, submitted and accepted for review (follow-up tasks not run)."""
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=complete_proposal.pk, action="accept_for_review", actor=None, reason="ok")
    complete_proposal.refresh_from_db()
    return complete_proposal


@pytest.fixture
def worked(in_review, csl_file):
    """The proposal with gates open and one screening hit, as the workers leave it."""
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    licenses_determine(proposal_id=in_review.pk)
    return in_review


@pytest.fixture
def resubmitted(in_review, commerce_reviewer, lead):
    """The proposal returned with a question, retitled by the consortium and resubmitted (revision 2)."""
    information_request_create(
        proposal_id=in_review.pk,
        actor=commerce_reviewer,
        question="Which ministry operates the site?",
        due_date=timezone.localdate() + timedelta(days=14),
    )
    Proposal.objects.filter(pk=in_review.pk).update(title="UAE Sovereign Health AI Cluster")
    proposal_transition(proposal_id=in_review.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=in_review.pk, action="accept_for_review", actor=None, reason="ok")
    in_review.refresh_from_db()
    return in_review


@pytest.fixture
def csl_rows():
    return [
        csl_row("e-acme", "ACME PRECISION CO LTD", alt_names="Acme Precision Machinery; ACME PREC"),
        csl_row("e-naic", "NATIONAL AI INFRASTRUCTURE COMPANY", source=SDN, alt_names="NAIC"),
        csl_row("e-person", "IVAN PETROV", type="Individual", citizenships="RU"),
        csl_row("e-ros", "ROSOBORONEXPORT OAO", alt_names="ROSOBORONEKSPORT; ROE"),
    ]


@pytest.fixture
def csl_file(tmp_path, csl_rows):
    return write_csl_csv(tmp_path / "consolidated.csv", csl_rows)


@pytest.fixture
def reviewer_b(db):
    return CommerceReviewerFactory(username="commerce_b")


@pytest.fixture(autouse=True)
def _designation_not_required(request) -> None:
    """These tests are about this area's own checks: EXIM's designation requirement is off here
    (tests/evaluation/test_designation_required.py proves it on and off)."""
    from tests.conftest import designation_requirement

    designation_requirement(request, required=False)
