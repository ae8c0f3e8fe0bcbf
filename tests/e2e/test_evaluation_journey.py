"""Interagency evaluation in Chromium, from conflicts to the public register.

An evaluator declares a conflict and is recused (the panel and the proposal are then a 404 for them);
another declares none and scores (a score off the scale is refused beside its field first); the program
officer records the summary and designates, then looks at the calls pages and the call's report; an
anonymous visitor finds the package on the public register and downloads its CSV. Every page state is
audited by axe-core, at 1400 px and again at 390x844, where the document must not be wider than the
viewport.
"""

import csv
import io
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from proposals.core.enums import ProposalStatus
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel
from proposals.intake.models.proposal import Proposal
from tests.e2e.support import Journey, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 390, "height": 844}


class Looks:
    """Each page state audited wide and at 390 px; pages wider than the narrow viewport are collected."""

    def __init__(self, page: Page, journey: Journey) -> None:
        self.page, self.journey, self.overflows = page, journey, []

    def __call__(self, label: str) -> None:
        self.journey.step(label)
        self.page.set_viewport_size(NARROW)
        document, viewport = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if document > viewport:
            self.overflows.append(f"{label} ({self.page.url}): document {document}px > viewport {viewport}px")
        self.journey.step(f"{label} at 390 px")
        self.page.set_viewport_size(WIDE)


def choose(page: Page, label: str) -> None:
    """Tick a USWDS radio as a person does: by clicking its label (the input itself is drawn off-screen)."""
    radio = page.get_by_label(label, exact=True)
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    expect(radio).to_be_checked()


def sign_out(page: Page, username: str) -> None:
    page.get_by_role("button", name=f"Sign out ({username})").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


@pytest.fixture
def in_review(complete_proposal):
    """The proposal as intake leaves it (in review; the pipeline has journeys of its own), the program
    officer, and a State and a War evaluator."""
    UserFactory(username="officer", agency="program")
    UserFactory(username="state-evaluator", agency="state", first_name="Sam", last_name="State")
    UserFactory(username="war-evaluator", agency="war", first_name="Wren", last_name="War")
    Proposal.objects.filter(pk=complete_proposal.pk).update(
        status=ProposalStatus.IN_REVIEW, revision_number=1
    )
    return complete_proposal


@pytest.fixture
def officer_page(browser, live_server, request) -> Iterator[tuple[Page, Journey]]:
    """The program officer's own browser (its own cookies), signed in once for the whole journey: a TOTP
    code is accepted once, so signing the same person in twice within 30 seconds would be refused."""
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    context.route(
        lambda url: not url.startswith(live_server.url) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page, Journey(page=page, name=f"{request.node.name}-officer")
    context.close()


def test_conflict_recusal_blind_scoring_designation_and_the_public_register(
    page: Page, journey: Journey, officer_page, in_review
) -> None:
    look = Looks(page, journey)
    complete_proposal = in_review
    title = complete_proposal.title

    # The program officer forms the panel from the proposals awaiting one, and convenes it.
    officer, officer_journey = officer_page
    officer_look = Looks(officer, officer_journey)
    sign_in(officer, officer_journey, username="officer")
    officer.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Evaluation"
    ).click()
    expect(officer.get_by_role("heading", name="Proposals in review awaiting a panel")).to_be_visible()
    officer_look("officer's panels and proposals awaiting one")
    officer.get_by_role("link", name=f"Form the panel for {title}").click()
    expect(officer.get_by_role("heading", name="Form the evaluation panel")).to_be_visible()
    expect(officer.locator("input[name=evaluators]:checked")).to_have_count(2)  # one per agency
    officer_look("panel suggestion")
    officer.get_by_role("button", name="Form the panel").click()
    expect(officer.get_by_role("status")).to_contain_text("Panel formed.")
    officer.get_by_label("Action").select_option(label="Convene the panel")
    officer.get_by_role("button", name="Move").click()
    expect(officer.get_by_role("status")).to_contain_text("Convene the panel: done.")
    officer_look("panel convened")
    convened = Panel.objects.get(proposal=complete_proposal)
    assert (convened.status, convened.members.count()) == (PanelStatus.CONFLICTS, 2)
    panel_url = reverse("evaluation-panel", args=[convened.pk])
    criteria = list(convened.rubric.criteria.order_by("order"))

    # A War evaluator with a conflict: the declaration needs a statement; once made, they are recused.
    sign_in(page, journey, username="war-evaluator")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Evaluation").click()
    expect(page.get_by_role("heading", name="Evaluation panels")).to_be_visible()
    look("evaluator's panel list")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name="Declare conflicts of interest")).to_be_visible()
    look("panel before declaring")
    choose(page, "I have a conflict (I will be recused)")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_text("Describe the conflict of interest.")).to_be_visible()
    look("conflict without a statement refused")
    choose(page, "I have a conflict (I will be recused)")
    page.get_by_label("Describe the conflict").fill("I advised the anchor member on its 2025 bid.")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Conflict declared: you are recused from this proposal."
    )
    expect(page.get_by_text("No panels.")).to_be_visible()
    look("recused: the panel has left the list")
    for url in (panel_url, reverse("proposal-detail", args=[complete_proposal.pk])):
        assert page.goto(url).status == 404, url
    journey.step("recused: the panel is not found", audit=False)
    page.goto(reverse("evaluation-panels"))
    sign_out(page, "war-evaluator")

    # A State evaluator declares no conflict (scoring then opens), and scores every criterion.
    sign_in(page, journey, username="state-evaluator")
    page.goto(reverse("evaluation-panels"))
    page.get_by_role("link", name=title).click()
    choose(page, "No conflict")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("status")).to_contain_text("No conflict declared.")
    expect(page.get_by_role("heading", name="Your scores")).to_be_visible()
    look("score sheet")
    page.locator(f"#value-{criteria[0].code}").fill("9")
    page.locator(f"#comment-{criteria[0].code}").fill("Beyond the scale.")
    page.get_by_role("button", name="Save draft").click()
    expect(
        page.get_by_text(f"Give a whole number from {criteria[0].scale_min} to {criteria[0].scale_max}.")
    ).to_be_visible()
    look("score off the scale refused")
    for n, criterion in enumerate(criteria):
        page.locator(f"#value-{criterion.code}").fill(str(criterion.scale_max - n % 2))
        page.locator(f"#comment-{criterion.code}").fill(f"{criterion.title}: well evidenced.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.get_by_role("status")).to_contain_text("Scores submitted.")
    expect(page.get_by_role("heading", name="Aggregate")).to_be_visible()
    look("scores submitted: the aggregate")
    sign_out(page, "state-evaluator")
    assert Panel.objects.get(pk=convened.pk).status == PanelStatus.DETERMINATION
    evaluator_page, evaluator_journey, evaluator_look = page, journey, look

    # The program officer records the summary and designates (in their own browser, still signed in).
    page, journey, look = officer, officer_journey, officer_look
    page.goto(panel_url)
    expect(page.get_by_role("heading", name="National-interest determination")).to_be_visible()
    look("officer's panel awaiting the determination")
    choose(page, "Designate")
    page.get_by_label("Reasons").fill("Strong full-stack package with a credible security plan.")
    page.get_by_role("button", name="Record the determination").click()
    expect(page.get_by_text("Record the panel summary before the determination.")).to_be_visible()
    look("determination before the summary refused")
    page.get_by_label("Panel summary (internal)").fill("One evaluator scored; one recused for a conflict.")
    page.get_by_label("Public summary (shown on the register if designated)").fill(
        "A sovereign AI cluster for public health services in the United Arab Emirates."
    )
    page.get_by_role("button", name="Record the summary").click()
    expect(page.get_by_role("status")).to_contain_text("Panel summary recorded.")
    choose(page, "Designate")
    page.get_by_label("Reasons").fill("Strong full-stack package with a credible security plan.")
    page.get_by_role("button", name="Record the determination").click()
    expect(page.get_by_role("status")).to_contain_text("Determination recorded: Designate.")
    look("designated")
    assert Panel.objects.get(pk=convened.pk).status == PanelStatus.DESIGNATED

    # The calls management pages and the call's report.
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Calls").click()
    expect(page.get_by_role("heading", name="Calls for proposals")).to_be_visible()
    look("calls")
    call = complete_proposal.call
    page.get_by_role("link", name=call.name, exact=True).click()
    expect(page.get_by_role("heading", name=call.name, level=1)).to_be_visible()
    look("call settings")
    page.get_by_role("link", name="Version 1").click()
    look("rubric version 1")
    page.goto(reverse("program-call-report", args=[call.pk]))
    expect(page.get_by_role("heading", name=f"Report: {call.name}")).to_be_visible()
    expect(page.get_by_role("table", name="Proposals by outcome")).to_contain_text("Designated")
    look("call report")
    page, journey, look = evaluator_page, evaluator_journey, evaluator_look

    # An anonymous visitor: the package on the public register, and in its CSV.
    page.goto(reverse("register"))
    section = page.locator(f"#ExportAI-{complete_proposal.pk}")
    expect(section.get_by_role("heading", name=title)).to_be_visible()
    expect(section).to_contain_text("A sovereign AI cluster for public health services")
    look("public register")
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    download = page.request.get(href)
    rows = list(csv.DictReader(io.StringIO(download.text())))
    assert (download.status, [(r["reference"], r["title"]) for r in rows]) == (
        200,
        [(f"ExportAI-{complete_proposal.pk}", title)],
    )

    officer_journey.assert_accessible_and_error_free()
    journey.assert_accessible_and_error_free()
    overflows = officer_look.overflows + look.overflows
    assert overflows == [], "pages wider than 390 px:\n" + "\n".join(overflows)
