"""A Commerce reviewer adjudicates a screening hit and decides the license gates, one with conditions."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from proposals.commerce.models import LicenseGate, ScreeningHit
from proposals.core.enums import GateStatus, HitStatus
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.commerce.csl_fixture import SDN, csl_row, write_csl_csv
from tests.e2e.support import Journey, sign_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def screening_list(tmp_path) -> None:
    """A small Consolidated Screening List in ITA's 29-column CSV: one entry matches the proposal's buyer."""
    path = write_csl_csv(
        tmp_path / "consolidated.csv",
        [
            csl_row("e2e-naic", "NATIONAL AI INFRASTRUCTURE COMPANY", source=SDN, alt_names="NAIC"),
            csl_row("e2e-acme", "ACME PRECISION CO LTD", alt_names="Acme Precision Machinery"),
            csl_row("e2e-person", "IVAN PETROV", type="Individual", citizenships="RU"),
        ],
    )
    call_command("load_screening_list", str(path), stdout=io.StringIO())


def submitted_and_screened(proposal: Proposal, lead) -> tuple[list[LicenseGate], ScreeningHit]:
    """Submit as the lead; the real worker runs intake, then Commerce screening and license determination."""
    proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    gates = wait_until(
        lambda: list(LicenseGate.objects.filter(proposal=proposal).order_by("eccn")),
        message="the worker to open the license gates",
    )
    hit = wait_until(
        lambda: ScreeningHit.objects.filter(proposal=proposal).first(),
        message="the worker to screen the parties",
    )
    return gates, hit


def test_commerce_reviewer_clears_the_screening_hit_and_decides_both_gates(
    page: Page, journey: Journey, complete_proposal, lead, commerce_reviewer, screening_list, celery_worker
) -> None:
    gates, hit = submitted_and_screened(complete_proposal, lead)
    assert [(g.eccn, g.destination_id, g.status) for g in gates] == [
        ("3A090.a", "AE", GateStatus.OPEN),
        ("4A090.a", "AE", GateStatus.OPEN),
    ]

    sign_in(page, journey, username="commerce")
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Commerce queue"
    ).click()
    expect(page.get_by_role("heading", name="Commerce review queue")).to_be_visible()
    journey.step("commerce queue")
    page.get_by_role("link", name="UAE AI Cluster").click()
    expect(page.get_by_role("heading", name="UAE AI Cluster", level=1)).to_be_visible()
    journey.step("proposal's commerce track")

    # The screening hit: the buyer's name matches an SDN entry; the reviewer finds it is another company.
    row = page.locator(f"#hit-{hit.pk}")
    expect(row).to_contain_text("NATIONAL AI INFRASTRUCTURE COMPANY")
    row.locator("summary").click()  # the decision form opens under the hit's row
    row.get_by_label("Decision").select_option(label="False positive")
    row.get_by_label("Reason").fill(
        "Different company: registered in Abu Dhabi in 2019, no link to the SDN entry."
    )
    row.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text('"National AI Infrastructure Co.": false positive.')
    journey.step("hit adjudicated")

    chips, servers = gates
    page.get_by_text(f"Decide {chips.eccn} to United Arab Emirates").click()
    decide = page.locator(f"form[action$='/commerce/gates/{chips.pk}/decide/']")
    decide.get_by_label("Decision").select_option(label="Approve")
    decide.get_by_label("Reason").fill("Civil health end use; end user vetted.")
    decide.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("3A090.a to United Arab Emirates: approve recorded.")
    journey.step("first gate approved")

    # Approving with conditions needs the conditions: without them the form says so and nothing is saved.
    page.get_by_text(f"Decide {servers.eccn} to United Arab Emirates").click()
    decide = page.locator(f"form[action$='/commerce/gates/{servers.pk}/decide/']")
    decide.get_by_label("Decision").select_option(label="Approve with conditions")
    decide.get_by_label("Reason").fill("Approved for the named site only.")
    decide.get_by_role("button", name="Record decision").click()
    decide = page.locator(f"form[action$='/commerce/gates/{servers.pk}/decide/']")
    expect(decide.get_by_role("alert")).to_contain_text("State the conditions (provisos) of the approval.")
    journey.step("conditions missing")
    decide.get_by_label("Conditions").fill("No re-export; quarterly end-use checks by the exporter.")
    decide.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text(
        "4A090.a to United Arab Emirates: approve with conditions recorded."
    )
    journey.step("second gate approved with conditions")

    expect(page.locator(f"#gate-{servers.pk}")).to_contain_text("No re-export; quarterly end-use checks")
    gates = list(LicenseGate.objects.filter(proposal=complete_proposal).order_by("eccn"))
    assert [(g.status, g.decided_by_id, g.conditions) for g in gates] == [
        (GateStatus.APPROVED, commerce_reviewer.pk, ""),
        (
            GateStatus.APPROVED_WITH_CONDITIONS,
            commerce_reviewer.pk,
            "No re-export; quarterly end-use checks by the exporter.",
        ),
    ]
    hit.refresh_from_db()
    assert (hit.status, hit.adjudicated_by_id) == (HitStatus.FALSE_POSITIVE, commerce_reviewer.pk)
    journey.assert_accessible_and_error_free()
