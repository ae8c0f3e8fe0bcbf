"""Model fields for text people type, bounded by the one text rule (proposals.core.policy.text)."""

from typing import Any

from django.db import models

from proposals.core.policy.text import text_validators


def multiline_text(max_chars: int, *args: Any, **kwargs: Any) -> models.TextField:
    """A multi-line text of at most `max_chars` characters. The column stays `text`; max_length bounds
    its forms and serializers, and the validators bound model validation (imports, full_clean)."""
    validators = text_validators(max_chars, multiline=True)
    return models.TextField(*args, max_length=max_chars, validators=validators, **kwargs)


def one_line_text(max_chars: int, *args: Any, **kwargs: Any) -> models.CharField:
    """A one-line text of at most `max_chars` characters (a varchar column of that length)."""
    return models.CharField(*args, max_length=max_chars, validators=text_validators(), **kwargs)
