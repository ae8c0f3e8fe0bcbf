"""commerce_clearance_blockers and commerce_screening_blockers: what stops EXIM's final commitment on
the Commerce side."""

import pytest

from proposals.commerce.models import CommerceReview
from proposals.commerce.selectors import (
    SCREENING_NOT_RUN,
    commerce_screening_blockers,
    proposal_screened_names,
)
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import GateStatus, HitStatus
from proposals.intake.models.proposal import Party
from proposals.intake.selectors import commerce_clearance_blockers
from tests.factories import license_gate, screening_hit

pytestmark = pytest.mark.django_db


def test_clearance_blockers_empty_when_nothing_pending(complete_proposal):
    license_gate(complete_proposal, GateStatus.APPROVED, destination="AE")
    license_gate(complete_proposal, GateStatus.APPROVED_WITH_CONDITIONS, destination="SA")
    license_gate(complete_proposal, GateStatus.NOT_REQUIRED, destination="QA")
    screening_hit(complete_proposal, HitStatus.FALSE_POSITIVE)

    assert commerce_clearance_blockers(proposal_id=complete_proposal.pk) == []


def test_clearance_blockers_name_open_and_denied_gates(complete_proposal):
    license_gate(complete_proposal, GateStatus.OPEN, destination="AE")
    license_gate(complete_proposal, GateStatus.DENIED, eccn="4A090", destination="SA")
    license_gate(complete_proposal, GateStatus.RETURNED_WITHOUT_ACTION, eccn="5A992.z", destination="AE")

    assert commerce_clearance_blockers(proposal_id=complete_proposal.pk) == [
        "License gate 3A090 to United Arab Emirates is open (awaiting decision).",
        "License gate 4A090 to Saudi Arabia is denied.",
        "License gate 5A992.z to United Arab Emirates is returned without action.",
    ]


@pytest.mark.parametrize(
    ("status", "state"), [(HitStatus.UNRESOLVED, "unresolved"), (HitStatus.CONFIRMED, "a confirmed match")]
)
def test_clearance_blockers_name_unresolved_or_confirmed_hits(complete_proposal, status, state):
    screening_hit(complete_proposal, status)

    assert commerce_clearance_blockers(proposal_id=complete_proposal.pk) == [
        'Screening hit: "Acme Precision Co., Ltd." (party to the export) matches "ACME PRECISION CO LTD" '
        f"on Entity List (EL); {state}."
    ]


def test_screening_not_run_blocks_clearance_before_the_worker_screens(in_review):
    assert commerce_screening_blockers(proposal_id=in_review.pk) == [SCREENING_NOT_RUN]


def test_screening_not_run_blocks_clearance_while_no_screening_list_is_loaded(in_review):
    assert proposal_screen(proposal_id=in_review.pk) == 0  # nothing to screen against: nothing recorded
    assert commerce_screening_blockers(proposal_id=in_review.pk) == [
        "Screening has not run for this proposal."
    ]


def test_screening_that_covered_every_current_name_clears(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    review = CommerceReview.objects.get(proposal=in_review)
    assert review.screened_names == sorted({n.name for n in proposal_screened_names(in_review)})
    assert commerce_screening_blockers(proposal_id=in_review.pk) == []


def test_screening_not_run_for_a_party_renamed_since_the_last_screening(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    party = in_review.parties.order_by("pk").first()
    Party.objects.filter(pk=party.pk).update(name="Gulf Health Holding PJSC")
    assert commerce_screening_blockers(proposal_id=in_review.pk) == [
        'Screening has not run for "Gulf Health Holding PJSC" (named since the last screening).'
    ]
