"""Form fields for text a person types, bounded by the one text rule (proposals.core.policy.text)."""

from typing import Any

from django import forms

from proposals.core.policy.text import TextCharacters


def text_field(max_chars: int, *, multiline: bool = False, **kwargs: Any) -> forms.CharField:
    """A form field for a plain (not model) form: at most `max_chars` characters, no control characters,
    one line unless `multiline` (then a text area, unless the caller gives a widget)."""
    if multiline:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
    kwargs["validators"] = [*kwargs.get("validators", ()), TextCharacters(multiline=multiline)]
    return forms.CharField(max_length=max_chars, **kwargs)
