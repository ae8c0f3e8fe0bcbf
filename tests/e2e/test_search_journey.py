"""A consortium lead searches the dashboard, sorts it, saves the filter and applies it again.

Also: a bad ECCN is shown as an error above the form (never an empty list). Every page state is
audited by axe-core at 1400 px and again at 390x844, where the document must not be wider than the
viewport.
"""

import pytest
from playwright.sync_api import Page, expect

from proposals.demo import build_complete_proposal
from proposals.search.models import SavedFilter
from tests.e2e.support import Journey, sign_in
from tests.e2e.test_evaluation_journey import Looks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_searches_sorts_saves_a_filter_and_applies_it_again(
    page: Page, journey: Journey, complete_proposal, consortium, lead
) -> None:
    for title, country, city in (
        ("Nairobi Health Cloud", "KE", "Nairobi"),
        ("Nairobi Schools AI", "KE", "Nairobi"),
    ):
        build_complete_proposal(consortium=consortium, lead=lead, title=title, country=country, city=city)
    look = Looks(page, journey)
    sign_in(page, journey, username=lead.username)
    page.goto("/")
    look("dashboard")
    rows = page.get_by_role("table").get_by_role("row")

    page.get_by_role("textbox", name="Search", exact=True).fill("nairobi")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(3)  # the header and two proposals, the UAE one filtered out
    look("searched for nairobi")

    header = page.get_by_role("columnheader", name="Proposal")
    expect(header).to_have_attribute("aria-sort", "none")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows.nth(1)).to_contain_text("Nairobi Schools AI")
    expect(rows.nth(2)).to_contain_text("Nairobi Health Cloud")
    look("sorted by title, Z to A")

    page.get_by_text("Saved filters", exact=True).click()
    page.get_by_label("Save the current filter as").fill("Kenya work")
    page.get_by_role("button", name="Save filter").click()
    expect(page.get_by_role("status")).to_contain_text("Filter “Kenya work” saved")
    assert SavedFilter.objects.get(user=lead).query == "q=nairobi&sort=-title"
    look("filter saved")

    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(4)
    page.get_by_role("link", name="Kenya work").click()
    expect(page.get_by_role("textbox", name="Search", exact=True)).to_have_value("nairobi")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Nairobi Schools AI")
    look("saved filter applied")

    page.get_by_role("textbox", name="ECCN", exact=True).fill("chips")
    page.get_by_role("button", name="Search", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Check the filters")
    expect(alert).to_contain_text("ECCN: Enter an ECCN such as 3A090, 3A090.a or EAR99.")
    expect(page.get_by_text("Correct the filters above to see your proposals.")).to_be_visible()
    look("a bad ECCN is an error")

    journey.assert_accessible_and_error_free()
    assert look.overflows == [], "pages wider than 390 px:\n" + "\n".join(look.overflows)
