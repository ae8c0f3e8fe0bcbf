"""The one text rule (proposals.core.policy.text): the maxima and the character rule, on the rule itself,
on model validation (what imports and ModelForms run), and on every text the API accepts."""

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from proposals.core.policy.text import (
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    SECTION_MAX_CHARS,
    TextCharacters,
    text_refusal,
)
from proposals.intake.models.proposal import Proposal

# Fields every other test of a model skips: relations and values that are not typed text.
PROPOSAL_NON_TEXT = [f.name for f in Proposal._meta.get_fields() if f.name not in ("title", "summary")]


@pytest.mark.parametrize(
    "text",
    [
        "Kenya AI Hub",
        "Tab\tseparated",
        "مركز أبوظبي\u200f",  # a right-to-left name with its right-to-left mark
        "Ünïcødé — “quoted” 数据中心",
        "",
    ],
)
def test_text_refusal_accepts_one_line_text(text):
    assert text_refusal(text, multiline=False) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Kenya\rAI Hub", "Use one line: remove the line break at character 6."),
        ("Kenya\nAI Hub", "Use one line: remove the line break at character 6."),
        ("Kenya\x00Hub", "Remove the invisible control character U+0000 (NUL) at character 6."),
        ("\x1bHub", "Remove the invisible control character U+001B at character 1."),
        ("Hub\x7f", "Remove the invisible control character U+007F (delete) at character 4."),
        ("Hub\x85", "Remove the invisible control character U+0085 at character 4."),
        (
            "exe.\u202etxt",
            "Remove the text-direction control U+202E (right-to-left override) at character 5: it makes "
            "the text display in a different order than it is stored.",
        ),
        (
            "a\u2066b",
            "Remove the text-direction control U+2066 (left-to-right isolate) at character 2: it makes "
            "the text display in a different order than it is stored.",
        ),
        ("a\u2028b", "Remove the invisible control character U+2028 (line separator) at character 2."),
        ("a\ud800b", "Remove the invisible control character U+D800 at character 2."),
    ],
)
def test_text_refusal_refuses_line_breaks_controls_and_direction_overrides_in_one_line(text, message):
    assert text_refusal(text, multiline=False) == message


@pytest.mark.parametrize("text", ["First line\nsecond line", "Browser line\r\nbreaks", "\tIndented"])
def test_text_refusal_accepts_line_breaks_and_tabs_in_multiline_text(text):
    assert text_refusal(text, multiline=True) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Old Mac\rline end",
            "Remove the invisible control character U+000D (carriage return) at character 8.",
        ),
        ("a\r\n\x00", "Remove the invisible control character U+0000 (NUL) at character 4."),
        (
            "left \u202eright",
            "Remove the text-direction control U+202E (right-to-left override) at character 6: it makes "
            "the text display in a different order than it is stored.",
        ),
    ],
)
def test_text_refusal_refuses_controls_in_multiline_text(text, message):
    assert text_refusal(text, multiline=True) == message


def test_text_characters_validator_raises_with_its_code():
    with pytest.raises(ValidationError) as refused:
        TextCharacters()("a\rb")
    assert refused.value.code == "control_character"
    TextCharacters(multiline=True)("a\r\nb")  # accepted: no exception


def test_the_maxima_nest():
    """A name fits a note and a note a section: a text never moves to a kind with a smaller limit."""
    assert (NAME_MAX_CHARS, NOTE_MAX_CHARS, SECTION_MAX_CHARS) == (200, 4_000, 20_000)


def _proposal_errors(**fields) -> dict[str, list[str]]:
    try:
        Proposal(**fields).full_clean(exclude=PROPOSAL_NON_TEXT)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_model_title_at_its_maximum_is_accepted_and_one_more_refused():
    assert _proposal_errors(title="T" * NAME_MAX_CHARS) == {}
    assert _proposal_errors(title="T" * (NAME_MAX_CHARS + 1)) == {
        "title": ["Ensure this value has at most 200 characters (it has 201)."]
    }


def test_model_summary_at_its_maximum_is_accepted_and_one_more_refused():
    assert _proposal_errors(title="T", summary="s" * SECTION_MAX_CHARS) == {}
    assert _proposal_errors(title="T", summary="s" * (SECTION_MAX_CHARS + 1)) == {
        "summary": ["Ensure this value has at most 20000 characters (it has 20001)."]
    }


def test_model_title_with_a_carriage_return_or_override_is_refused():
    assert _proposal_errors(title="Kenya\rHub") == {
        "title": ["Use one line: remove the line break at character 6."]
    }
    assert _proposal_errors(title="Hub \u202egnp.exe") == {
        "title": [
            "Remove the text-direction control U+202E (right-to-left override) at character 5: it makes the "
            "text display in a different order than it is stored."
        ]
    }


def _request_strings(schema: dict) -> list[tuple[str, str]]:
    """(component, property) of every string property of the request bodies' components."""
    found = []
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for prop, spec in component.get("properties", {}).items():
            items = spec.get("items", {}) if spec.get("type") == "array" else {}
            for candidate in (spec, items):
                if candidate.get("type") == "string" and not candidate.get("readOnly"):
                    found.append((name, prop, candidate))
    return [(name, prop) for name, prop, spec in found if _free_text(spec)]


def _free_text(spec: dict) -> bool:
    # Enumerations, dates, files and numbers-as-strings are not free text.
    return "enum" not in spec and "format" not in spec and "pattern" not in spec


# Strings that are not text a person writes: keys looked up in a table (a country code, an id, "me"),
# where anything unknown is a field error whatever its length, and the sign-in credentials.
NOT_TEXT = {
    "country",
    "origin_country",
    "headquarters_country",
    "ultimate_parent_country",
    "country_of_incorporation",
    "principal_place_of_business",
    "target_countries",
    "reviewer",
    "username",
    "password",
    "otp_token",
}


def test_every_text_the_api_accepts_has_a_maximum():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unbounded = []
    for name, prop in _request_strings(schema):
        if prop in NOT_TEXT:
            continue
        spec = schema["components"]["schemas"][name]["properties"][prop]
        spec = spec.get("items", spec) if spec.get("type") == "array" else spec
        if "maxLength" not in spec:
            unbounded.append(f"{name}.{prop}")
    assert unbounded == [], "\n".join(unbounded)
