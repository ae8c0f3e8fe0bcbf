"""Request parsers that refuse NUL characters, which PostgreSQL text columns cannot store.

Without this, a NUL inside an id or a name reaches the database and fails there as a server error;
with it the caller gets the API's usual 400 (a ParseError) and nothing is written.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL_MESSAGE = "Text may not contain NUL (0x00) characters."


def _reject_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(NUL_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item)
    elif hasattr(value, "lists"):  # QueryDict from form and multipart bodies
        for key, items in value.lists():
            _reject_nul(key)
            _reject_nul(items)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
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
