"""Two people edit the same draft in Chromium: the second save is refused with the differences, the
first person's change stays, and saving again keeps the second person's values on purpose. The refusal
is audited by axe-core wide and at 390x844, where the page must not be wider than the viewport."""

import pytest
from playwright.sync_api import Browser, Page, expect

from proposals.intake.models.proposal import Proposal
from tests.e2e.support import Journey, sign_in
from tests.e2e.test_evaluation_journey import Looks
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_stale_save_second_editor_sees_the_differences_and_nothing_is_overwritten(
    page: Page, journey: Journey, browser: Browser, live_server, lead, editor, consortium
):
    draft = ProposalFactory(consortium=consortium, title="Kenya AI Hub", created_by=lead)
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    second = other.new_page()
    second_journey = Journey(page=second, name="test_stale_save_editor")
    try:
        sign_in(page, journey, username="lead")
        sign_in(second, second_journey, username="editor")
        for each in (page, second):  # both open the overview of the same draft
            each.goto(f"/proposals/{draft.pk}/")
            expect(each.get_by_label("Title")).to_have_value("Kenya AI Hub")

        page.get_by_label("Title").fill("Kenya AI Hub, phase one")
        page.get_by_role("button", name="Save overview").click()
        expect(page.get_by_text("Overview saved.")).to_be_visible()
        journey.step("first save kept")

        second.get_by_label("Title").fill("Kenya sovereign cloud")
        second.get_by_label("Summary").fill("A sovereign cloud region in Nairobi.")
        second.get_by_role("button", name="Save overview").click()
        alert = second.get_by_role("alert").filter(has_text="Someone else saved this after you opened it")
        expect(alert).to_be_visible()
        rows = alert.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Kenya sovereign cloud")
        expect(rows.nth(0)).to_contain_text("Kenya AI Hub, phase one")
        expect(second.get_by_label("Title")).to_have_value("Kenya sovereign cloud")
        looks = Looks(second, second_journey)
        looks("stale save refused with the differences")
        draft.refresh_from_db()
        assert (draft.title, draft.summary, draft.version) == ("Kenya AI Hub, phase one", "", 2)

        second.get_by_role("button", name="Save overview").click()
        expect(second.get_by_text("Overview saved.")).to_be_visible()
        second_journey.step("saved again on purpose")
        saved = Proposal.objects.get(pk=draft.pk)
        assert (saved.title, saved.version) == ("Kenya sovereign cloud", 3)

        assert looks.overflows == [], "pages wider than 390 px:\n" + "\n".join(looks.overflows)
        journey.assert_accessible_and_error_free()
        second_journey.assert_accessible_and_error_free()
    finally:
        other.close()
