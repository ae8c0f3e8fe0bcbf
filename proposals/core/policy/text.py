"""The one text rule: how long each kind of text may be, and which characters no text may hold.

Every text a person types (a model field, a form or serializer field, a cell of an import) is bounded
by one of the maxima below and checked by `text_refusal`. Model fields take `text_validators(...)`,
so ModelForms and ModelSerializers inherit the same limits; plain form and serializer fields use the
helpers in proposals.core.web.fields and proposals.core.api.fields, which read the same constants.

The maxima are constants, not settings: a model's max_length is part of its migration history.
"""

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

# --- How long each kind of text may be (characters) -----------------------------------------------
# A name: a person, company, site, proposal title, call, party.
NAME_MAX_CHARS = 200
# One line that describes something: a line item, an address, a rule's description.
LINE_MAX_CHARS = 300
# A reason, condition, comment, question, answer, message or statement.
NOTE_MAX_CHARS = 4_000
# A section of a proposal or a panel's summary (about eight printed pages).
SECTION_MAX_CHARS = 20_000

# Text-direction controls: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). They make
# text display in another order than it is stored ("Trojan Source"); the marks U+200E/U+200F that
# right-to-left names legitimately use are allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Refused everywhere: C0 and C1 control characters except tab, line feed and carriage return (handled
# below), DEL, lone surrogates (a JSON "\ud800" escape), the Unicode line and paragraph separators,
# and the text-direction controls. One regular expression, so a long text is checked in one pass.
_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# In one-line text any line break is refused; in multi-line text a carriage return only as part of the
# CR LF pair browsers send for a line break in a text area.
_SINGLE_LINE_BREAK = re.compile("[\r\n]")
_LONE_CR = re.compile("\r(?!\n)")

_CHARACTER_NAMES = {"\x00": "NUL", "\r": "carriage return", "\n": "line break", "\x7f": "delete"}


def _describe(char: str) -> str:
    name = _CHARACTER_NAMES.get(char) or unicodedata.name(char, "").lower()
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


def text_refusal(value: str, *, multiline: bool) -> str:
    """Why this text is refused, in words for the person who typed it; "" when it is accepted.

    Decides the character rule only (the length is each field's maximum): tab is always allowed, a
    line break only in multi-line text, every other control character and the text-direction
    controls never.
    """
    if not multiline and (found := _SINGLE_LINE_BREAK.search(value)):
        return f"Use one line: remove the line break at character {found.start() + 1}."
    found = _REFUSED.search(value) or (_LONE_CR.search(value) if multiline else None)
    if found is None:
        return ""
    char = found.group()
    where = f"at character {found.start() + 1}"
    if char in BIDI_CONTROLS:
        return (
            f"Remove the text-direction control {_describe(char)} {where}: it makes the text display "
            "in a different order than it is stored."
        )
    return f"Remove the invisible control character {_describe(char)} {where}."


@deconstructible(path="proposals.core.policy.text.TextCharacters")
class TextCharacters:
    """Validator for the character rule (`text_refusal`), one-line or multi-line."""

    code = "control_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        message = text_refusal(value, multiline=self.multiline)
        if message:
            raise ValidationError(message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((TextCharacters, self.multiline))


def text_validators(max_chars: int | None = None, *, multiline: bool = False) -> list[Any]:
    """The validators of a model text field: the character rule, and the length when `max_chars` is given.

    A CharField checks its own max_length, so it passes no `max_chars` (a second length validator would
    repeat its message). A TextField's max_length is only checked by its forms and serializers, so a
    TextField passes it here as well, for model validation (imports, full_clean).
    """
    length = [MaxLengthValidator(max_chars)] if max_chars is not None else []
    return [*length, TextCharacters(multiline=multiline)]
