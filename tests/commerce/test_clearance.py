"""Commerce clearance (commerce.selectors.commerce_clearance): a positive statement, fail closed.

Cleared only when licenses were determined for the current revision under the policy in force,
screening covered every current name against the newest list, every license is in place and no
screening hit is unresolved or confirmed. Anything else is a named reason.
"""

import json

import pytest

from proposals.commerce.models import CommerceReview, LicenseGate, ScreeningListVersion
from proposals.commerce.selectors import commerce_clearance
from proposals.commerce.services.licensing import (
    DEFAULT_POLICY_FILE,
    licenses_determine,
    licensing_policy_load,
)
from proposals.commerce.services.review import gate_decide
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import GateStatus, HitStatus
from proposals.intake.models.proposal import Party
from tests.factories import license_gate, screening_hit

pytestmark = pytest.mark.django_db


def newest_list() -> int:
    return ScreeningListVersion.objects.order_by("-pk").values_list("pk", flat=True).first()


@pytest.fixture
def listed(csl_file):
    """A screening list is loaded (it names the proposal's purchaser: one hit to adjudicate)."""
    return screening_list_load(source=str(csl_file))


@pytest.fixture
def cleared(in_review, listed, commerce_reviewer):
    """Determined, screened, every license granted and every hit cleared as a false positive."""
    licenses_determine(proposal_id=in_review.pk)
    proposal_screen(proposal_id=in_review.pk)
    for gate in LicenseGate.objects.filter(proposal=in_review):
        gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Licensed.")
    for hit in in_review.screening_hits.all():
        hit.status = HitStatus.FALSE_POSITIVE
        hit.save(update_fields=["status"])
    return in_review


def test_clearance_cleared_when_determined_screened_and_every_license_in_place(cleared):
    clearance = commerce_clearance(proposal_id=cleared.pk)
    review = CommerceReview.objects.get(proposal=cleared)
    last_decision = max(g.decided_at for g in LicenseGate.objects.filter(proposal=cleared))
    assert (clearance.cleared, clearance.reasons, clearance.held) == (True, [], {})
    assert clearance.cleared_at == max(review.screened_at, review.licenses_determined_at, last_decision)


def test_clearance_lost_determination_is_a_named_reason(in_review, listed):
    proposal_screen(proposal_id=in_review.pk)  # screening ran; the determination's message was lost
    clearance = commerce_clearance(proposal_id=in_review.pk)
    assert clearance.cleared is False and clearance.cleared_at is None
    assert clearance.held["licenses_determined"] == ["License determination has not run for revision 1."]


def test_clearance_nothing_run_is_not_clear_with_every_reason_named(in_review, listed):
    assert commerce_clearance(proposal_id=in_review.pk).reasons == [
        "License determination has not run for revision 1.",
        f"Screening has not run against list version {listed.pk}.",
    ]


def test_clearance_licenses_determined_under_an_older_policy_is_not_clear(cleared, tmp_path):
    payload = json.loads(DEFAULT_POLICY_FILE.read_text())
    payload["number"] = 2
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(payload))
    licensing_policy_load(path=path)
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        "Licenses were determined under policy v1; v2 is in force."
    ]
    licenses_determine(proposal_id=cleared.pk)  # what the load enqueues
    assert commerce_clearance(proposal_id=cleared.pk).cleared is True


def test_clearance_screening_against_an_older_list_version_is_not_clear(cleared, csl_file):
    old = newest_list()
    newer = screening_list_load(source=str(csl_file))
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        f"Screening ran against list version {old}; version {newer.pk} is the newest."
    ]
    proposal_screen(proposal_id=cleared.pk)  # what the load enqueues
    assert commerce_clearance(proposal_id=cleared.pk).cleared is True


def test_clearance_no_screening_list_loaded_is_not_clear(in_review):
    licenses_determine(proposal_id=in_review.pk)
    assert proposal_screen(proposal_id=in_review.pk) == 0  # nothing to screen against: nothing recorded
    assert commerce_clearance(proposal_id=in_review.pk).held["screening_current"] == [
        "No screening list is loaded, so screening has not run."
    ]


def test_clearance_name_added_since_screening_is_not_clear(cleared):
    party = cleared.parties.order_by("pk").first()
    Party.objects.filter(pk=party.pk).update(name="Gulf Health Holding PJSC")
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        'Screening has not run for "Gulf Health Holding PJSC" (named since the last screening).'
    ]


def test_clearance_screening_asked_for_again_holds_until_it_runs(cleared, commerce_reviewer):
    from proposals.commerce.services.screening import screening_request

    screening_request(proposal_id=cleared.pk, actor=commerce_reviewer)
    assert (
        commerce_clearance(proposal_id=cleared.pk).reasons[0].startswith("Screening was asked for again on ")
    )
    proposal_screen(proposal_id=cleared.pk)
    assert CommerceReview.objects.get(proposal=cleared).screening_requested_at is None
    assert commerce_clearance(proposal_id=cleared.pk).cleared is True


def test_clearance_names_open_denied_and_returned_gates(cleared):
    LicenseGate.objects.filter(proposal=cleared).delete()
    license_gate(cleared, GateStatus.OPEN, destination="AE")
    license_gate(cleared, GateStatus.DENIED, eccn="4A090", destination="SA")
    license_gate(cleared, GateStatus.RETURNED_WITHOUT_ACTION, eccn="5A992.z", destination="AE")
    license_gate(cleared, GateStatus.APPROVED_WITH_CONDITIONS, eccn="4A090", destination="AE")
    license_gate(cleared, GateStatus.NOT_REQUIRED, eccn="3A090", destination="QA")
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        "License gate 3A090 to United Arab Emirates is open (awaiting decision).",
        "License gate 4A090 to Saudi Arabia is denied.",
        "License gate 5A992.z to United Arab Emirates is returned without action.",
    ]


@pytest.mark.parametrize(
    ("status", "state"), [(HitStatus.UNRESOLVED, "unresolved"), (HitStatus.CONFIRMED, "a confirmed match")]
)
def test_clearance_names_unresolved_or_confirmed_hits(cleared, status, state):
    screening_hit(cleared, status, entry_key="e-other")
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        'Screening hit: "Acme Precision Co., Ltd." (party to the export) matches "ACME PRECISION CO LTD" '
        f"on Entity List (EL); {state}."
    ]


def test_clearance_resubmitted_revision_is_not_cleared_until_determined_and_screened(
    cleared, commerce_reviewer, lead
):
    from datetime import timedelta

    from django.utils import timezone

    from proposals.commerce.services.review import information_request_create
    from proposals.intake.services.transitions import proposal_transition

    information_request_create(
        proposal_id=cleared.pk,
        actor=commerce_reviewer,
        question="Which ministry operates the site?",
        due_date=timezone.localdate() + timedelta(days=14),
    )
    proposal_transition(proposal_id=cleared.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=cleared.pk, action="accept_for_review", actor=None, reason="ok")
    assert commerce_clearance(proposal_id=cleared.pk).reasons == [
        "License determination has not run for revision 2.",
        "Screening has not run for revision 2.",
    ]
    licenses_determine(proposal_id=cleared.pk)
    proposal_screen(proposal_id=cleared.pk)
    assert commerce_clearance(proposal_id=cleared.pk).cleared is True
