"""Request parsers that refuse what would otherwise fail later as a server error.

- NUL characters, which PostgreSQL text columns cannot store: a NUL inside an id or a name would
  reach the database and fail there; here it is the API's usual 400 (a ParseError).
- JSON nested deeper than any request of this API needs: Python's decoder recurses once per level
  and raises RecursionError (a 500) somewhere past a thousand; the nesting is counted on the raw
  text first, without recursion, and refused at MAX_JSON_DEPTH.
- JSON bodies over settings.EXPORTAI_JSON_MAX_BYTES: read at most one byte more than the limit,
  then refused with 413 (DRF would otherwise read any body whole).
"""

import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

NUL_MESSAGE = "Text may not contain NUL (0x00) characters."
# The deepest request body the API takes is a list of objects inside an object (3); leave room.
MAX_JSON_DEPTH = 32
DEPTH_MESSAGE = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."

# A complete JSON string (escapes included) or one bracket. Up to the first syntax error of a body,
# this splits it exactly as a JSON decoder does, so brackets inside strings are never counted.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def body_too_large_message(limit: int) -> str:
    return f"The request body is larger than {limit:,} bytes."


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside each other."""
    depth = 0
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def _reject_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(NUL_MESSAGE)
    elif hasattr(value, "lists"):
        # A QueryDict (form and multipart bodies) before plain dicts: it is one, and its .items()
        # gives only the LAST value of a repeated key, so a NUL in the first would slip through.
        for key, items in value.lists():
            _reject_nul(key)
            _reject_nul(items)
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.EXPORTAI_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(body_too_large_message(limit))
        if json_depth_exceeds(raw):
            raise ParseError(DEPTH_MESSAGE)
        try:
            text = raw.decode((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
            # NaN and Infinity are not JSON: refused, as DRF's own parser does.
            data = json.loads(text, parse_constant=json.strict_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError included
            raise ParseError(f"JSON parse error - {exc}") from exc
        _reject_nul(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _reject_nul(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        _reject_nul(result.data)
        return result
