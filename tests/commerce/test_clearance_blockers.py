"""commerce_clearance_blockers and commerce_screening_blockers: what stops EXIM's final commitment on
the Commerce side."""

import pytest

from proposals.enums import GateStatus, HitStatus, ScreenedSubject
from proposals.models import (
    CommerceReview,
    LicenseGate,
    LicensingPolicyVersion,
    Party,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListVersion,
)
from proposals.selectors import commerce_clearance_blockers
from proposals.selectors_commerce import (
    SCREENING_NOT_RUN,
    commerce_screening_blockers,
    proposal_screened_names,
)
from proposals.services.screening import proposal_screen, screening_list_load

pytestmark = pytest.mark.django_db


def _gate(proposal, status, eccn="3A090", destination="AE"):
    policy, _ = LicensingPolicyVersion.objects.get_or_create(number=1, defaults={"name": "test"})
    return LicenseGate.objects.create(
        proposal=proposal,
        eccn=eccn,
        destination_id=destination,
        status=status,
        rule_code="ai-chips-d-groups",
        policy_version=policy,
    )


def _hit(proposal, status):
    version = ScreeningListVersion.objects.create(source="test.csv", sha256="0" * 64, entry_count=1)
    entry = ScreeningEntry.objects.create(
        list_version=version, entry_key="e1", source="Entity List (EL)", name="ACME PRECISION CO LTD"
    )
    return ScreeningHit.objects.create(
        proposal=proposal,
        entry=entry,
        list_version=version,
        entry_key="e1",
        subject_type=ScreenedSubject.PARTY,
        subject_label="End user",
        screened_name="Acme Precision Co., Ltd.",
        matched_name="ACME PRECISION CO LTD",
        source="Entity List (EL)",
        score=100,
        exact=True,
        status=status,
    )


def test_clearance_blockers_empty_when_nothing_pending(complete_proposal):
    _gate(complete_proposal, GateStatus.APPROVED, destination="AE")
    _gate(complete_proposal, GateStatus.APPROVED_WITH_CONDITIONS, destination="SA")
    _gate(complete_proposal, GateStatus.NOT_REQUIRED, destination="QA")
    _hit(complete_proposal, HitStatus.FALSE_POSITIVE)

    assert commerce_clearance_blockers(proposal_id=complete_proposal.pk) == []


def test_clearance_blockers_name_open_and_denied_gates(complete_proposal):
    _gate(complete_proposal, GateStatus.OPEN, destination="AE")
    _gate(complete_proposal, GateStatus.DENIED, eccn="4A090", destination="SA")
    _gate(complete_proposal, GateStatus.RETURNED_WITHOUT_ACTION, eccn="5A992.Z", destination="AE")

    assert commerce_clearance_blockers(proposal_id=complete_proposal.pk) == [
        "License gate 3A090 to United Arab Emirates is open (awaiting decision).",
        "License gate 4A090 to Saudi Arabia is denied.",
        "License gate 5A992.Z to United Arab Emirates is returned without action.",
    ]


@pytest.mark.parametrize(
    ("status", "state"), [(HitStatus.UNRESOLVED, "unresolved"), (HitStatus.CONFIRMED, "a confirmed match")]
)
def test_clearance_blockers_name_unresolved_or_confirmed_hits(complete_proposal, status, state):
    _hit(complete_proposal, status)

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
