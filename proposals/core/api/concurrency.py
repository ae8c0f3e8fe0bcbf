"""Optimistic concurrency in the API: an ETag on every read and write of a versioned object, and the
version a change started from, taken from If-Match or from `version` in the body.

The service decides (core.services.concurrency): a stale version is refused with 412 and the error
shape, `code` "stale_version", `extra.version` the saved version and `extra.changes` the differences.
If-Match is optional, so that clients written before it keep working (no 428): a change that sends
neither If-Match nor `version` is not checked. The ETag is the version in quotes (`"3"`), a strong
validator of the object's own editable fields; `*` matches any version, and a value that is not one of
ours (a weak `W/"3"`, a list) matches none, so it is refused as stale.
"""

import re
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.models.versioned import Versioned

VERSION_FIELD = "version"
_ETAG = re.compile(r'"(\d{1,10})"')

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag of the version the change starts from (`"3"`). Optional: when it (or `version` '
    "in the body) names an older version than the saved one, nothing is saved and the answer is 412 "
    "`stale_version`.",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The object\'s version in quotes (`"3"`); it changes with every accepted edit. Send it '
    "back as If-Match.",
)
READ_PARAMETERS = [ETAG]
WRITE_PARAMETERS = [IF_MATCH, ETAG]
DELETE_PARAMETERS = [IF_MATCH]


def version_input() -> serializers.IntegerField:
    """The optional `version` an input serializer accepts: the version the change starts from."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        write_only=True,
        help_text="The version the change starts from (as read); a stale one is refused with 412. "
        "Optional: If-Match does the same. Ignored when creating.",
    )


def version_output() -> serializers.IntegerField:
    return serializers.IntegerField(
        read_only=True, help_text="Goes up by one with every accepted edit; also the ETag."
    )


def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(response: Response, obj: Versioned | None = None) -> Response:
    """The response, with the object's version as its ETag (read from `obj`, else from the body)."""
    version = obj.version if obj is not None else response.data[VERSION_FIELD]
    response["ETag"] = etag(version)
    return response


def expected_version(request: Request, data: dict[str, Any] | None = None) -> int | None:
    """The version the client's change starts from; None when it names none (the check is skipped).

    Pops `version` from the parsed `data`. Given both, If-Match and `version` must agree (else no
    version matches). A header that is not exactly one of our ETags matches no version (0).
    """
    body = data.pop(VERSION_FIELD, None) if data is not None else None
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return body
    match = _ETAG.fullmatch(header.strip())
    version = int(match.group(1)) if match else 0
    if body is not None and body != version:
        return 0
    return version
