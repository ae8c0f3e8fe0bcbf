"""The words pages use for codes: ECCNs, states, findings and audit events as sentences."""

import re
from pathlib import Path

import pytest

from proposals.core import words
from proposals.core.words import Event, event_sentence

COUNTRIES = {"IN": "India", "AE": "United Arab Emirates"}.get


def sentence(subject: str, action: str, **kw) -> str:
    return event_sentence(Event(subject=subject, action=action, **kw), country=lambda c: COUNTRIES(c, c))


def test_eccn_is_written_as_the_ear_writes_it():
    assert [words.eccn(v) for v in ("3a090.A", "ear99", " 5a992.c ", "")] == [
        "3A090.a",
        "EAR99",
        "5A992.c",
        "not classified",
    ]


def test_state_label_reads_the_state_on_the_subject_track():
    assert words.state_label("open", "gate:2") == "Open (awaiting decision)"
    assert words.state_label("returned", "proposal") == "Returned to consortium"
    assert words.state_label("board", "deal") == "Board"
    assert words.state_label("some_new_state", "gate:2") == "Some new state"


@pytest.mark.parametrize(
    ("subject", "action", "extra", "expected"),
    [
        (
            "gate:2",
            "gate_opened",
            {"to_state": "open", "data": {"eccn": "3a090.a", "destination": "IN"}},
            "Commerce opened the license gate for 3A090.a to India: a license is required.",
        ),
        (
            "gate:2",
            "gate_approve_with_conditions",
            {"actor_label": "Casey Reviewer", "data": {"eccn": "4A090.a", "destination": "AE"}},
            "Casey Reviewer approved with conditions the license for 4A090.a to United Arab Emirates.",
        ),
        (
            "hit:1",
            "screening_hit",
            {"data": {"screened": "Acme FZE", "source": "Entity List (EL)"}},
            "Screening found a possible match for Acme FZE on Entity List (EL).",
        ),
        (
            "hit:1",
            "hit_false_positive",
            {"actor_label": "Casey Reviewer", "data": {"screened": "Acme FZE"}},
            "Casey Reviewer marked as a false positive the possible match for Acme FZE.",
        ),
        (
            "screening",
            "screened",
            {"data": {"names": 7, "new_hits": 1, "list_version": 3}},
            "Screening checked 7 names against list version 3: 1 new possible match.",
        ),
        (
            "screening",
            "screened",
            {"data": {"names": 1, "new_hits": 2, "list_version": 3}},
            "Screening checked 1 name against list version 3: 2 new possible matches.",
        ),
        (
            "deal",
            "refer_to_credit_committee",
            {"actor_label": "Elliot Officer", "from_state": "due_diligence", "to_state": "credit_committee"},
            "Elliot Officer moved the deal from due diligence to credit committee.",
        ),
        (
            "proposal",
            "submit",
            {"actor_label": "Alex Lead", "revision": 2},
            "Alex Lead submitted the proposal as revision 2.",
        ),
        (
            "commerce_clock",
            "clock_flagged",
            {"to_state": "near_deadline"},
            "The review clock is now near a deadline.",
        ),
        (
            "note:4",
            "note_posted",
            {"actor_label": "Casey Reviewer"},
            "Casey Reviewer posted an internal note.",
        ),
        # An action no sentence knows yet still reads as words, with its state's label.
        ("widget:9", "frobnicate_all", {"to_state": "in_review"}, "System: frobnicate all (now in review)."),
    ],
)
def test_event_sentence(subject, action, extra, expected):
    assert sentence(subject, action, **extra) == expected


def test_every_finding_code_the_completeness_policy_emits_has_a_topic():
    source = Path(words.__file__).parent.parent / "intake" / "policy" / "completeness.py"
    emitted = set(re.findall(r'_(?:blocking|warning)\(\s*"([A-Z0-9_]+)"', source.read_text()))
    assert len(emitted) > 25
    assert emitted - set(words.FINDING_TOPICS) == set()
    assert words.finding_topic("LAYER_MISSING") == "A layer of the stack"
