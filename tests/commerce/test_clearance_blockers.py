"""commerce_clearance_blockers: what stops EXIM's final commitment on the Commerce side."""

import pytest

from proposals.enums import GateStatus, HitStatus, ScreenedSubject
from proposals.models import (
    LicenseGate,
    LicensingPolicyVersion,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListVersion,
)
from proposals.selectors import commerce_clearance_blockers

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
