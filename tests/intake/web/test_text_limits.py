"""The text rule on the consortium's pages and the bill-of-materials import: field errors, nothing saved."""

import pytest
from django.urls import reverse

from proposals.core.errors import InvalidInput
from proposals.core.policy.text import LINE_MAX_CHARS, NAME_MAX_CHARS
from proposals.intake.models.proposal import LineItem
from proposals.intake.services.bom_import import bom_import
from tests.intake.web.test_bom_import import csv_file, nairobi  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ROW = ["chips", "AI accelerator", "Chip Co", "US", "3A090", "16", "30000", "432000", ""]


def _overview(client, draft, **fields):
    data = {"title": draft.title, "summary": "", "target_countries": ["KE"], **fields}
    return client.post(reverse("proposal-detail", kwargs={"pk": draft.pk}), data)


def test_ten_megabyte_summary_on_the_page_is_a_field_error_and_nothing_is_saved(lead_client, draft):
    response = _overview(lead_client, draft, title="Renamed", summary="x" * (10 * 1024 * 1024))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert 'id="f-summary-error"' in html
    assert "Ensure this value has at most 20000 characters (it has 10485760)." in html
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Bare draft", "")


def test_title_with_a_carriage_return_on_the_page_is_a_field_error(lead_client, draft):
    response = _overview(lead_client, draft, title="Kenya\rAI Hub")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-title-error"' in html
    assert "Use one line: remove the line break at character 6." in html
    draft.refresh_from_db()
    assert draft.title == "Bare draft"


def test_title_with_a_direction_override_on_the_page_is_a_field_error(lead_client, draft):
    response = _overview(lead_client, draft, title="Kenya \u202ebuH")
    assert response.status_code == 200
    assert "Remove the text-direction control U+202E (right-to-left override) at character 7" in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.title == "Bare draft"


def test_title_at_its_maximum_on_the_page_is_saved_and_a_textarea_keeps_browser_line_breaks(
    lead_client, draft
):
    response = _overview(lead_client, draft, title="T" * NAME_MAX_CHARS, summary="One\r\nTwo")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("T" * NAME_MAX_CHARS, "One\r\nTwo")


def test_import_accepts_a_description_at_its_maximum(draft, lead):
    row = list(ROW)
    row[1] = "d" * LINE_MAX_CHARS
    assert bom_import(proposal_id=draft.pk, actor=lead, upload=csv_file([row])) == 1
    assert LineItem.objects.get(proposal=draft).description == "d" * LINE_MAX_CHARS


def test_import_refuses_over_long_and_control_characters_by_row_and_column(draft, lead):
    long_description = list(ROW)
    long_description[1] = "d" * (LINE_MAX_CHARS + 1)
    override = list(ROW)
    override[2] = "Chip \u202eoC"
    carriage_return = list(ROW)
    carriage_return[1] = "Two\r\nlines"
    with pytest.raises(InvalidInput) as refused:
        bom_import(
            proposal_id=draft.pk,
            actor=lead,
            upload=csv_file([ROW, long_description, override, carriage_return]),
        )
    assert refused.value.extra["rows"] == [
        {
            "row": 3,
            "column": "description",
            "message": "Ensure this value has at most 300 characters (it has 301).",
        },
        {
            "row": 4,
            "column": "manufacturer",
            "message": "Remove the text-direction control U+202E (right-to-left override) at character 6: it "
            "makes the text display in a different order than it is stored.",
        },
        {"row": 5, "column": "description", "message": "Use one line: remove the line break at character 4."},
    ]
    assert LineItem.objects.filter(proposal=draft).count() == 0
