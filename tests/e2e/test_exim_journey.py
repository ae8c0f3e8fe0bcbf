"""An EXIM officer takes the deal to final commitment, refused once while a Commerce license gate is open."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from proposals.commerce.models import CommerceReview, LicenseGate
from proposals.commerce.services.review import gate_decide
from proposals.core.enums import DealStage, ProposalStatus
from proposals.demo import build_complete_proposal
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.commerce.csl_fixture import csl_row, write_csl_csv
from tests.conftest import designation_requirement
from tests.e2e.support import Journey, sign_in, wait_until
from tests.exim.conftest import EIGHTY_MILLION_ITEMS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def screening_list(tmp_path) -> None:
    """A loaded Consolidated Screening List that names no one on the proposal (no hits to adjudicate)."""
    path = write_csl_csv(tmp_path / "consolidated.csv", [csl_row("e2e-ros", "ROSOBORONEXPORT OAO")])
    call_command("load_screening_list", str(path), stdout=io.StringIO())


@pytest.fixture
def in_review_with_deal(request, consortium, lead, screening_list, celery_worker) -> tuple[Proposal, Deal]:
    """Submitted by the lead; the real worker runs intake, screens the names, opens the license gates
    and the deal's terms (final commitment waits for all of them).

    This journey is about Commerce's gate; the program's designation requirement is off here and
    proven on and off in tests/evaluation/test_designation_required.py."""
    designation_requirement(request, required=False)
    proposal = build_complete_proposal(
        consortium=consortium,
        lead=lead,
        title="UAE health AI cluster",
        # $68M financed: over $10M goes to the board, under $100M needs no congressional notification.
        items=EIGHTY_MILLION_ITEMS,
        amount=Decimal("68000000"),
    )
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    wait_until(
        lambda: LicenseGate.objects.filter(proposal=proposal).count() == 2, message="the license gates"
    )
    wait_until(
        lambda: CommerceReview.objects.filter(proposal=proposal, screened_at__isnull=False).exists(),
        message="the worker to screen the names",
    )
    deal = wait_until(
        lambda: Deal.objects.filter(proposal=proposal, terms_computed_at__isnull=False).first(),
        message="the deal to open with its terms",
    )
    return proposal, deal


@pytest.fixture
def enrolled_exim_officer(exim_officer):
    """An officer who set up the authenticator app earlier: sign-in asks for the current code."""
    TOTPDevice.objects.create(user=exim_officer, name="Authenticator app", confirmed=True)
    return exim_officer


def move(page: Page, journey: Journey, action: str, reason: str) -> None:
    """Choose a stage move on the deal page, give the reason, record it."""
    # USWDS draws its own radio button: the input sits off-screen, a person clicks the label.
    page.get_by_role("group", name="Choose a move").get_by_text(action, exact=True).click()
    expect(page.get_by_role("radio", name=action)).to_be_checked()
    page.get_by_label("Reason (recorded in the timeline)").fill(reason)
    page.get_by_role("button", name="Record", exact=True).click()


def test_exim_officer_is_refused_final_commitment_while_a_gate_is_open_then_commits(
    page: Page, journey: Journey, in_review_with_deal, enrolled_exim_officer, commerce_reviewer
) -> None:
    proposal, deal = in_review_with_deal
    sign_in(page, journey, username="exim")
    nav = page.get_by_role("navigation", name="Primary navigation")
    nav.get_by_role("link", name="EXIM pipeline").click()
    expect(page.get_by_role("heading", name="EXIM deal pipeline")).to_be_visible()
    journey.step("pipeline")
    page.get_by_role("link", name="UAE health AI cluster").click()
    expect(page.get_by_role("heading", name="UAE health AI cluster", level=1)).to_be_visible()
    journey.step("deal, application received")

    for action, reason, stage in (
        ("Start due diligence", "Application complete; credit and content review opened.", "Due diligence"),
        ("Refer to credit committee", "Due diligence clean; US content 100%.", "Credit committee"),
        ("Refer to the board", "$68M is above the board threshold.", "Board"),
    ):
        move(page, journey, action, reason)
        expect(page.get_by_role("status")).to_contain_text(f"{action}: done.")
        expect(page.locator("main")).to_contain_text(f"{stage} since")
        journey.step(f"deal at {stage.lower()}")

    # Commerce has not decided the license gates yet: the page says why, and final commitment is shown
    # but cannot be chosen (the service's own refusal is tested in tests/exim).
    expect(page.locator("main")).to_contain_text("Commerce has not cleared the proposal")
    authorize = page.get_by_role("radio", name="Authorize (final commitment) (not possible yet)")
    expect(authorize).to_be_disabled()
    journey.step("final commitment not offered, gates open")
    deal.refresh_from_db()
    assert deal.stage == DealStage.BOARD

    # Meanwhile the Commerce reviewer approves both licenses.
    for gate in LicenseGate.objects.filter(proposal=proposal):
        gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Civil end use.")

    # The officer comes back to the deal from the pipeline.
    page.get_by_role("main").get_by_role("link", name="Pipeline").click()
    page.get_by_role("link", name="UAE health AI cluster").click()
    expect(page.locator("main")).to_contain_text("Cleared by Commerce on ")
    journey.step("gates cleared")
    move(page, journey, "Authorize (final commitment)", "Board approved; Commerce licenses granted.")
    expect(page.get_by_role("status")).to_contain_text("Authorize (final commitment): done.")
    expect(page.locator("main")).to_contain_text("Final commitment (authorized) since")
    journey.step("final commitment")

    nav.get_by_role("link", name="Ceiling").click()
    journey.step("ceiling dashboard")

    deal.refresh_from_db()
    proposal.refresh_from_db()
    assert (deal.stage, proposal.status) == (DealStage.FINAL_COMMITMENT, ProposalStatus.APPROVED)
    journey.assert_accessible_and_error_free()
