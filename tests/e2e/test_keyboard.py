"""The submission journey with the keyboard alone: sign in, open the proposal, submit it (WCAG 2.1.1)."""

import pytest
from playwright.sync_api import Page, expect

from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal
from tests.e2e.support import WORKER_TIMEOUT_MS, Journey, focused, tab_to
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_signs_in_and_submits_with_the_keyboard_alone(
    page: Page, journey: Journey, complete_proposal: Proposal, celery_worker
) -> None:
    page.goto("/accounts/login/")
    journey.step("sign-in page")
    # The first Tab reaches the skip link, so keyboard users can jump past the banner and navigation.
    page.keyboard.press("Tab")
    assert focused(page) == "a||Skip to main content"
    page.keyboard.press("Enter")

    tab_to(page, r"^input\|username\|")
    page.keyboard.type("lead")
    page.keyboard.press("Tab")
    assert focused(page).startswith("input|password|")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your proposals")).to_be_visible()
    journey.step("signed in with the keyboard")

    tab_to(page, r"^a\|\|UAE AI Cluster$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="UAE AI Cluster", level=1)).to_be_visible()
    journey.step("proposal opened with the keyboard")

    tab_to(page, r"^a\|\|Review and submit$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    journey.step("review and submit, reached with the keyboard")

    tab_to(page, r"^button\|\|Submit proposal$")
    page.keyboard.press("Space")
    expect(page.get_by_role("status").first).to_contain_text("Submitted as revision 1")
    journey.step("submitted with the keyboard")

    expect(page.locator("#proposal-status")).to_contain_text("In review", timeout=WORKER_TIMEOUT_MS)
    journey.step("in review")
    complete_proposal.refresh_from_db()
    assert (complete_proposal.status, complete_proposal.revision_number) == (ProposalStatus.IN_REVIEW, 1)
    journey.assert_accessible_and_error_free()
