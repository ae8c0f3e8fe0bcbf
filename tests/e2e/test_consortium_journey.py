"""A consortium lead drafts, completes and submits a proposal in Chromium; the worker takes it into review."""

import re

import pytest
from playwright.sync_api import Page, expect

from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal
from tests.e2e.support import WORKER_TIMEOUT_MS, Journey, sign_in
from tests.fixtures.media import KENYA_BOM_CSV, PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_section(page: Page, journey: Journey, label: str) -> None:
    page.get_by_role("navigation", name="Proposal sections").get_by_role("link", name=label).click()
    expect(page.locator("#section h2").first).to_be_visible()
    journey.step(label)


def save(page: Page, button: str, confirmation: str) -> None:
    """Click a section's save button (an htmx post) and wait for the swapped-in confirmation."""
    page.get_by_role("button", name=button).click()
    expect(page.locator("#section [role=status]")).to_have_text(confirmation)


def row(page: Page, name: str):
    """The table row a section lists a saved thing in."""
    return page.locator("#section tbody tr", has_text=name)


def test_lead_drafts_completes_and_submits_and_the_worker_puts_it_in_review(
    page: Page, journey: Journey, lead, call, celery_worker, tmp_path
) -> None:
    sign_in(page, journey, username="lead")
    expect(page.get_by_role("heading", name="Your proposals")).to_be_visible()
    journey.step("dashboard, empty")

    page.get_by_role("main").get_by_role("link", name="Start a proposal").click()
    journey.step("start a proposal")
    page.get_by_label("Title").fill("Kenya sovereign AI cloud")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name="Kenya sovereign AI cloud", level=1)).to_be_visible()
    journey.step("new draft, overview")

    page.get_by_label("Summary").fill("A sovereign AI cloud for Kenyan agriculture and health services.")
    page.get_by_label("Target countries").select_option("KE")
    page.get_by_label("Security measures").fill(
        "Encrypted model weights; a US-run security operations center."
    )
    save(page, "Save overview", "Overview saved.")
    journey.step("overview saved")

    open_section(page, journey, "Sites")
    page.get_by_label("Name").fill("Nairobi Campus")
    page.get_by_label("Country").select_option("KE")
    page.get_by_label("City").fill("Nairobi")
    page.get_by_label("Builder").fill("Savanna Builders Ltd")
    page.get_by_label("Owner").fill("Kenya Digital Infrastructure Ltd")
    page.get_by_label("Operator").fill("Atlas Cloud Operations")
    save(page, "Add site", "Site added.")
    expect(row(page, "Nairobi Campus")).to_be_visible()
    journey.step("site added")

    open_section(page, journey, "Line items")
    page.get_by_role("link", name="Import a bill of materials").click()
    journey.step("bill of materials import")
    bom = tmp_path / "bill-of-materials.csv"
    bom.write_text(KENYA_BOM_CSV)
    # USWDS's file input names the control by its drop-zone text; the field is the one file input.
    page.locator("input[type=file]").set_input_files(bom)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 6 line items.")
    journey.step("bill of materials imported")

    open_section(page, journey, "Parties")
    for role, name in (
        ("Purchaser", "Kenya AI Compute Ltd"),
        ("Ultimate consignee", "Nairobi Campus Operations Ltd"),
        ("End user", "Kenya Agricultural Research Institute"),
    ):
        page.get_by_label("Role").select_option(label=role)
        page.get_by_label(re.compile(r"^Name( \*)?$")).fill(name)
        page.get_by_label("Address").fill("1 Harambee Avenue, Nairobi")
        page.get_by_label(re.compile(r"^Country( \*)?$")).select_option("KE")
        save(page, "Add party", "Party added.")
        expect(row(page, name)).to_be_visible()
    page.get_by_label("End-use statement").fill("Crop-yield forecasting and clinical triage models.")
    save(page, "Save end use", "End-use statement saved.")
    journey.step("parties and end use")

    open_section(page, journey, "Financing")
    page.locator("#f-product").select_option("direct_loan")
    page.locator("#f-amount").fill("5000000")
    page.locator("#f-local_costs").fill("0")
    page.locator("#f-tenor_years").fill("8")
    save(page, "Save financing", "Financing saved.")
    journey.step("financing saved")

    open_section(page, journey, "Documents")
    for category, filename in (("security_plan", "security-plan.pdf"), ("financial", "financials.pdf")):
        page.get_by_label("Category").select_option(category)
        page.locator("input[type=file]").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": PDF}
        )
        save(page, "Upload", "Document uploaded.")
        expect(page.locator(f"#f-documents-{category}")).to_contain_text(filename)
    journey.step("documents uploaded")

    open_section(page, journey, "Review and submit")
    expect(page.locator("#checklist")).to_contain_text("Nothing blocks submission.")
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted as revision 1")
    journey.step("submitted, automated intake running")

    # The worker accepts it; the page's status badge notices by itself (nobody reloads the page).
    expect(page.locator("#proposal-status")).to_contain_text("In review", timeout=WORKER_TIMEOUT_MS)
    journey.step("in review")
    open_section(page, journey, "Timeline")
    expect(page.locator("#section")).to_contain_text("Automated intake: complete.")

    proposal = Proposal.objects.get(title="Kenya sovereign AI cloud")
    assert (
        proposal.status,
        proposal.revision_number,
        proposal.line_items.count(),
        proposal.documents.count(),
    ) == (
        ProposalStatus.IN_REVIEW,
        1,
        6,
        2,
    )
    journey.assert_accessible_and_error_free()
