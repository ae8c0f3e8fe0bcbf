"""A consortium lead manages the members in Chromium: add, a refused second anchor, hand over, remove."""

import pytest
from playwright.sync_api import Page, expect

from proposals.core.enums import MemberRole
from tests.e2e.support import Journey, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_adds_hands_over_the_anchor_and_removes_a_member(page: Page, journey: Journey, lead, consortium):
    sign_in(page, journey, username="lead")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name=f"Members of {consortium.name}")).to_be_visible()
    journey.step("members list")

    form = page.locator("form", has=page.get_by_role("button", name="Add member"))
    form.get_by_label("Legal name").fill("Gulf Fabric Networks LLC")
    form.get_by_label("Role").select_option("anchor")
    form.locator("label", has_text="Networking").click()  # USWDS draws the box on the label
    form.get_by_label("Country of incorporation").select_option("US")
    form.get_by_label("Principal place of business").select_option("AE")
    form.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("is already the anchor member")).to_be_visible()
    expect(page.get_by_label("Legal name").first).to_have_value("Gulf Fabric Networks LLC")
    journey.step("second anchor refused, input kept")

    form = page.locator("form", has=page.get_by_role("button", name="Add member"))
    form.get_by_label("Role").select_option("partner")
    form.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Gulf Fabric Networks LLC added as a member.")).to_be_visible()
    journey.step("member added")

    # Making another member the anchor asks first (a second step behind <details>, no script).
    page.locator("summary", has_text="Make anchor Gulf Fabric Networks LLC").click()
    journey.step("anchor hand-over asks to confirm")
    page.get_by_role("button", name="Yes, make Gulf Fabric Networks LLC the anchor").click()
    expect(page.get_by_text("Gulf Fabric Networks LLC is now the anchor member.")).to_be_visible()
    journey.step("anchor handed over")
    assert consortium.members.get(role=MemberRole.ANCHOR).company.legal_name == "Gulf Fabric Networks LLC"

    previous = consortium.members.filter(role=MemberRole.PARTNER).order_by("pk").first().company.legal_name
    page.get_by_role("link", name=f"Remove {previous}").click()
    expect(page.get_by_role("heading", name=f"Remove {previous}?")).to_be_visible()
    journey.step("removal confirmation")
    page.get_by_role("button", name="Remove member").click()
    expect(page.get_by_text(f"{previous} removed from the consortium.")).to_be_visible()
    journey.step("member removed")
    assert not consortium.members.filter(company__legal_name=previous).exists()
