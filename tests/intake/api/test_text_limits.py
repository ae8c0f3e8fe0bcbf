"""The text rule on the proposal API: each text at its maximum is accepted, one more character is a
field error; a carriage return, NUL or direction override is a field error; a 10 MB body is a JSON 413."""

import json

import pytest

from proposals.core.policy.text import NAME_MAX_CHARS, SECTION_MAX_CHARS

pytestmark = pytest.mark.django_db


def detail(pk: int) -> str:
    return f"/api/proposals/{pk}/"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", NAME_MAX_CHARS), ("summary", SECTION_MAX_CHARS), ("end_use", SECTION_MAX_CHARS)],
)
def test_proposal_text_at_its_maximum_is_saved(as_editor, draft, field, limit):
    response = as_editor.patch(detail(draft.pk), {field: "x" * limit}, format="json")
    assert response.status_code == 200
    draft.refresh_from_db()
    assert getattr(draft, field) == "x" * limit


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", NAME_MAX_CHARS), ("summary", SECTION_MAX_CHARS), ("end_use", SECTION_MAX_CHARS)],
)
def test_proposal_text_one_over_its_maximum_is_a_field_error(as_editor, draft, field, limit):
    response = as_editor.patch(detail(draft.pk), {field: "x" * (limit + 1)}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }
    draft.refresh_from_db()
    assert len(getattr(draft, field)) < limit


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Kenya\rAI Hub", "Use one line: remove the line break at character 6."),
        (
            "Kenya \u202ebuH IA",
            "Remove the text-direction control U+202E (right-to-left override) at character 7: it makes "
            "the text display in a different order than it is stored.",
        ),
    ],
)
def test_proposal_title_with_a_control_character_is_a_field_error(as_editor, draft, title, message):
    response = as_editor.patch(detail(draft.pk), {"title": title}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"title": [message]}
    draft.refresh_from_db()
    assert draft.title == "Kenya AI Hub"


def test_proposal_title_with_nul_is_refused(as_editor, draft):
    """The API's JSON parser refuses a NUL anywhere in the body before any field is read."""
    response = as_editor.patch(detail(draft.pk), {"title": "Kenya\x00Hub"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    draft.refresh_from_db()
    assert draft.title == "Kenya AI Hub"


def test_summary_keeps_line_breaks_and_tabs(as_editor, draft):
    response = as_editor.patch(detail(draft.pk), {"summary": "One\r\nTwo\n\tThree"}, format="json")
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == "One\r\nTwo\n\tThree"


def test_ten_megabyte_summary_is_a_json_413_and_nothing_is_saved(as_editor, draft):
    body = json.dumps({"summary": "x" * (10 * 1024 * 1024)})
    response = as_editor.generic("PATCH", detail(draft.pk), body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    draft.refresh_from_db()
    assert draft.summary == ""


def test_withdraw_reason_over_its_maximum_is_a_field_error(as_lead, draft):
    response = as_lead.post(f"/api/proposals/{draft.pk}/withdraw/", {"reason": "r" * 4001}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "reason": ["Ensure this field has no more than 4000 characters."]
    }
    draft.refresh_from_db()
    assert draft.status == "draft"
