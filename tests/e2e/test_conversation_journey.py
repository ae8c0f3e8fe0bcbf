"""Consortium and agencies talk in the portal (issue 14), in Chromium: a request for information answered
with a file and read by the reviewer beside the revision diff; a message thread with an internal note the
consortium never sees; the inbox count rising and falling. Every page is also checked at 390 x 844 (axe,
and no sideways scroll)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from proposals.commerce.models import InformationRequest
from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import InboxItem
from proposals.notify.services import message_post
from tests.e2e.support import Journey, sign_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# The innermost elements that stick out to the right of the viewport (what to fix when a page scrolls).
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${el.className} `
        + `(${Math.round(el.getBoundingClientRect().right)}px): ${(el.innerText || '').slice(0, 60)}`)"""


def step_everywhere(page: Page, journey: Journey, label: str) -> None:
    """Screenshot and audit the page on a desktop and on a phone; on the phone nothing may scroll sideways."""
    journey.step(label)
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(WIDEST)
    assert width <= PHONE["width"], (
        f"{label}: the page is {width}px wide on a 390px phone ({page.url}): {wide}"
    )
    journey.step(f"{label} (phone)")
    page.set_viewport_size(DESKTOP)


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_consortium_answers_a_request_with_a_file_and_the_reviewer_reads_it_beside_the_diff(
    page: Page, journey: Journey, complete_proposal, lead, commerce_reviewer, tmp_path, celery_worker
) -> None:
    # The real worker runs intake and Commerce's start of review, here and after the resubmission.
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    wait_until(
        lambda: Proposal.objects.filter(pk=complete_proposal.pk, status=ProposalStatus.IN_REVIEW).exists(),
        message="intake to accept the proposal for review",
    )
    sign_in(page, journey, username="commerce")
    page.goto(f"/commerce/proposals/{complete_proposal.pk}/")
    form = page.locator("#rfi-form")
    form.get_by_label("Question").fill("Who owns the ultimate consignee? Attach its share register.")
    form.get_by_label("Due date").fill((date.today() + timedelta(days=20)).isoformat())
    form.get_by_role("button", name="Send question (returns the proposal)").click()
    expect(page.get_by_role("status")).to_be_visible()
    step_everywhere(page, journey, "question sent")
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.RETURNED

    sign_out(page)
    sign_in(page, journey, username="lead")
    panel = page.locator("#action-required")
    expect(panel).to_contain_text("Who owns the ultimate consignee?")
    expect(panel).to_contain_text("20 days left")
    step_everywhere(page, journey, "dashboard shows the request")
    panel.get_by_role("link", name="UAE AI Cluster").click()
    expect(page.get_by_role("heading", name="Request for information", level=1)).to_be_visible()
    step_everywhere(page, journey, "request to answer")
    page.get_by_label("Answer").fill("National AI Infrastructure Co. is owned 100% by the Emirate's fund.")
    register = tmp_path / "share-register.pdf"
    register.write_bytes(PDF)
    # USWDS draws its drop zone over the file input; the input itself takes the file.
    page.locator("input[type=file][name=attachments]").set_input_files(str(register))
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_role("status")).to_contain_text("Answer saved.")
    step_everywhere(page, journey, "answer saved")
    rfi = InformationRequest.objects.get(proposal=complete_proposal)
    page.goto(f"/proposals/{complete_proposal.pk}/requests/{rfi.pk}/")
    expect(page.get_by_role("link", name="share-register.pdf")).to_be_visible()
    step_everywhere(page, journey, "answer's file listed")
    page.get_by_role("link", name="submit the proposal again").click()
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Submitted as revision 2")
    step_everywhere(page, journey, "resubmitted")
    wait_until(
        lambda: (
            InformationRequest.objects.filter(pk=rfi.pk, answered_revision=2).exists()
            and Proposal.objects.filter(pk=complete_proposal.pk, status=ProposalStatus.IN_REVIEW).exists()
        ),
        message="the resubmission to be back in review with the request answered",
    )
    rfi.refresh_from_db()
    assert (rfi.answered_revision, rfi.attachments.get().original_name) == (2, "share-register.pdf")

    sign_out(page)
    sign_in(page, journey, username="commerce")
    page.goto(f"/commerce/proposals/{complete_proposal.pk}/#diff")
    answer = page.locator(f"#rfi-answer-{rfi.pk}")
    expect(answer).to_contain_text("Answer carried by revision 2")
    expect(answer).to_contain_text("owned 100% by the Emirate's fund")
    expect(answer.get_by_role("link", name="share-register.pdf")).to_be_visible()
    expect(page.locator("#diff")).to_contain_text("Changes in the latest revision")
    step_everywhere(page, journey, "reviewer reads the answer beside the diff")
    journey.assert_accessible_and_error_free()


def test_message_thread_with_an_internal_note_the_consortium_never_sees(
    page: Page, journey: Journey, complete_proposal, lead, commerce_reviewer
) -> None:
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    sign_in(page, journey, username="commerce")
    page.goto(f"/proposals/{complete_proposal.pk}/messages/")
    page.get_by_label("Message").fill("Please confirm the site's operator licence by Friday.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Message sent.")
    step_everywhere(page, journey, "reviewer writes to the consortium")
    page.get_by_role("link", name="Internal notes").click()
    page.get_by_label("Message").fill("Internal: ownership looks thin; ask State before deciding.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added.")
    expect(page.get_by_text("Internal: ownership looks thin")).to_be_visible()
    step_everywhere(page, journey, "internal note")

    sign_out(page)
    sign_in(page, journey, username="lead")
    page.goto(f"/proposals/{complete_proposal.pk}/messages/")
    expect(page.get_by_text("Please confirm the site's operator licence by Friday.")).to_be_visible()
    expect(page.get_by_text("ownership looks thin")).to_have_count(0)
    expect(page.get_by_role("link", name="Internal notes")).to_have_count(0)
    page.get_by_label("Message").fill("The operator's licence is attached to section 4.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Message sent.")
    step_everywhere(page, journey, "consortium replies, sees no note")
    response = page.goto(f"/proposals/{complete_proposal.pk}/notes/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("ownership looks thin")).to_have_count(0)
    journey.assert_accessible_and_error_free()


def test_inbox_count_rises_and_falls_with_mark_read(
    page: Page, journey: Journey, complete_proposal, lead, commerce_reviewer
) -> None:
    sign_in(page, journey, username="lead")
    expect(page.locator("#inbox-count")).to_have_count(0)
    step_everywhere(page, journey, "nothing unread")

    # Two events that e-mail the lead: the submission, and a reviewer's message with a file.
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    message_post(
        proposal_id=complete_proposal.pk,
        actor=commerce_reviewer,
        body="Your dossier is with us.",
        attachments=[SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")],
    )
    assert InboxItem.objects.filter(user=lead, read_at__isnull=True).count() == 2
    page.reload()
    expect(page.locator("#inbox-count")).to_have_text("2 unread")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Submitted: UAE AI Cluster (revision 1)")).to_be_visible()
    step_everywhere(page, journey, "inbox with two unread")

    submitted = page.locator(".usa-collection__item", has_text="Submitted: UAE AI Cluster (revision 1)")
    submitted.get_by_role("button", name="Mark read").click()
    expect(page.locator("#inbox-count")).to_have_text("1 unread")
    step_everywhere(page, journey, "one marked read")
    page.get_by_label("Show").select_option("unread")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("link", name="Submitted: UAE AI Cluster (revision 1)")).to_have_count(0)
    step_everywhere(page, journey, "unread only")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#inbox-count")).to_have_count(0)
    expect(page.get_by_text("No unread notifications.")).to_be_visible()
    step_everywhere(page, journey, "all read")

    # The item opens the page it is about: the message thread.
    page.get_by_label("Show").select_option("all")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/inbox/?show=all")
    page.locator(".usa-collection__heading a").first.click()
    expect(page.get_by_text("Your dossier is with us.")).to_be_visible()
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Notification settings"
    ).click()
    expect(page.get_by_role("heading", name="Email notifications")).to_be_visible()
    step_everywhere(page, journey, "notification settings from the navigation")
    journey.assert_accessible_and_error_free()
