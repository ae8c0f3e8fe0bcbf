"""Serializer fields for text a client sends, bounded by the one text rule (proposals.core.policy.text)."""

from typing import Any

from rest_framework import serializers

from proposals.core.policy.text import TextCharacters


def text_input(max_chars: int, *, multiline: bool = False, **kwargs: Any) -> serializers.CharField:
    """An input field of a plain (not model) serializer: at most `max_chars` characters, no control
    characters, one line unless `multiline`."""
    kwargs["validators"] = [*kwargs.get("validators", ()), TextCharacters(multiline=multiline)]
    return serializers.CharField(max_length=max_chars, **kwargs)
