"""The gate rule: no final commitment before screening covers every name, while a license gate is open
or denied, or while a hit is unresolved."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from proposals.commerce.models import ScreeningListVersion
from proposals.commerce.services.screening import proposal_screen
from proposals.core.enums import DealStage, GateStatus, HitStatus, MemberRole, ProposalStatus
from proposals.core.errors import CommitmentRefused
from proposals.exim.models import Deal
from proposals.exim.services import deal_transition
from proposals.exim.tasks import exim_notification_sweep
from proposals.intake.models.consortium import Company, ConsortiumMember
from tests.factories import license_gate, screening_hit

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("10000000")


@pytest.fixture
def deal(make_deal) -> Deal:
    return make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=AMOUNT)


def authorize(deal: Deal, actor) -> None:
    deal_transition(deal_id=deal.pk, action="authorize", actor=actor, reason="Ready to authorize.")


def test_gate_rule_open_license_gate_refuses_final_commitment(deal, exim_officer):
    license_gate(deal.proposal, GateStatus.OPEN)
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == [
        "Commerce: License gate 3A090 to United Arab Emirates is open (awaiting decision)."
    ]
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.CREDIT_COMMITTEE, ProposalStatus.IN_REVIEW)


def test_gate_rule_denied_license_gate_refuses_final_commitment(deal, exim_officer):
    license_gate(deal.proposal, GateStatus.DENIED, eccn="4A090", destination="SA")
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == ["Commerce: License gate 4A090 to Saudi Arabia is denied."]


def test_gate_rule_unresolved_screening_hit_refuses_final_commitment(deal, exim_officer):
    screening_hit(deal.proposal, HitStatus.UNRESOLVED)
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == [
        'Commerce: Screening hit: "Acme Precision Co., Ltd." (party to the export) matches '
        '"ACME PRECISION CO LTD" on Entity List (EL); unresolved.'
    ]


def test_gate_rule_screening_not_run_refuses_final_commitment(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=AMOUNT, screen=False)
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    newest = ScreeningListVersion.objects.order_by("-pk").first()
    assert refused.value.extra["reasons"] == [
        f"Commerce: Screening has not run against list version {newest.pk}."
    ]
    deal.refresh_from_db()
    assert deal.stage == DealStage.CREDIT_COMMITTEE


def test_gate_rule_name_added_since_screening_refuses_final_commitment_until_screened_again(
    deal, exim_officer
):
    company = Company.objects.create(
        legal_name="Harbor Optics LLC",
        country_of_incorporation_id="US",
        principal_place_of_business_id="US",
        ultimate_parent="Harbor Holdings Inc.",
        ultimate_parent_country_id="US",
    )
    ConsortiumMember.objects.create(
        consortium=deal.proposal.consortium, company=company, role=MemberRole.PARTNER, layers=["networking"]
    )
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == [
        'Commerce: Screening has not run for "Harbor Holdings Inc.", "Harbor Optics LLC" '
        "(named since the last screening)."
    ]
    proposal_screen(proposal_id=deal.proposal_id)
    authorize(deal, exim_officer)
    deal.refresh_from_db()
    assert deal.stage == DealStage.FINAL_COMMITMENT


def test_gate_rule_names_every_blocker(deal, exim_officer):
    license_gate(deal.proposal, GateStatus.OPEN)
    screening_hit(deal.proposal, HitStatus.UNRESOLVED)
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert len(refused.value.extra["reasons"]) == 2


def test_gate_rule_cleared_gates_and_resolved_hits_allow_final_commitment(deal, exim_officer):
    license_gate(deal.proposal, GateStatus.APPROVED)
    license_gate(deal.proposal, GateStatus.APPROVED_WITH_CONDITIONS, destination="SA")
    screening_hit(deal.proposal, HitStatus.FALSE_POSITIVE)
    authorize(deal, exim_officer)
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.FINAL_COMMITMENT, ProposalStatus.APPROVED)


def test_gate_rule_holds_beat_after_notification_period(make_deal, exim_officer):
    deal = make_deal(stage=DealStage.BOARD, amount=Decimal("100000000"))
    deal_transition(deal_id=deal.pk, action="notify_congress", actor=exim_officer, reason="Board approved.")
    license_gate(deal.proposal, GateStatus.OPEN)
    deal.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=deal.notification_ends_at + timedelta(hours=1)):
        assert exim_notification_sweep() == []
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.CONGRESSIONAL_NOTIFICATION


def test_gate_rule_lost_determination_refuses_final_commitment_naming_the_missing_determination(
    make_deal, exim_officer
):
    """The determination's message was lost (or its worker down): no gate exists, and that is not clear."""
    deal = make_deal(stage=DealStage.CREDIT_COMMITTEE, amount=AMOUNT, determine=False)
    assert not deal.proposal.license_gates.exists()
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == ["Commerce: License determination has not run for revision 1."]
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.CREDIT_COMMITTEE, ProposalStatus.IN_REVIEW)


def test_gate_rule_resubmitted_revision_with_a_new_controlled_item_is_refused_until_determined(
    deal, exim_officer, commerce_reviewer, lead
):
    from proposals.commerce.models import LicenseGate
    from proposals.commerce.services.licensing import licenses_determine
    from proposals.commerce.services.review import gate_decide, information_request_create
    from proposals.core.enums import Layer
    from proposals.intake.services.drafting import child_save
    from proposals.intake.services.intake import intake_check
    from proposals.intake.services.transitions import proposal_transition

    proposal = deal.proposal
    information_request_create(
        proposal_id=proposal.pk,
        actor=commerce_reviewer,
        question="Add the inference accelerators?",
        due_date=timezone.localdate() + timedelta(days=14),
    )
    child_save(
        proposal_id=proposal.pk,
        actor=lead,
        kind="item",
        data={
            "layer": Layer.CHIPS,
            "description": "Inference accelerators",
            "manufacturer": "Northstar Silicon Inc.",
            "origin_country_id": "US",
            "eccn": "3A090.b",
            "quantity": 1,
            "unit_value": Decimal("1000000"),
            "us_origin_value": Decimal("1000000"),
            "site": proposal.sites.first(),
        },
    )
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    assert intake_check(proposal_id=proposal.pk) == "accept_for_review"
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == [
        "Commerce: License determination has not run for revision 2.",
        "Commerce: Screening has not run for revision 2.",
    ]

    licenses_determine(proposal_id=proposal.pk)
    proposal_screen(proposal_id=proposal.pk)
    with pytest.raises(CommitmentRefused) as refused:
        authorize(deal, exim_officer)
    assert refused.value.extra["reasons"] == [
        "Commerce: License gate 3A090.b to United Arab Emirates is open (awaiting decision)."
    ]

    new_gate = LicenseGate.objects.get(proposal=proposal, eccn="3A090.b")
    gate_decide(gate_id=new_gate.pk, action="approve", actor=commerce_reviewer, reason="Licensed.")
    authorize(deal, exim_officer)
    deal.refresh_from_db()
    assert (deal.stage, deal.proposal.status) == (DealStage.FINAL_COMMITMENT, ProposalStatus.APPROVED)
