"""One exception handler: application errors and DRF errors in a stable JSON shape.

Body: {"message": str, "code": str, "extra": {...}}; field errors are in extra["fields"].
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from proposals.core.errors import ApplicationError

# The same sentence whichever layer (serializer or service) found the bad input.
INVALID_MESSAGE = "Please correct the errors below."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "code": exc.code, "extra": exc.extra}, status=exc.status_code
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            {"message": INVALID_MESSAGE, "code": "invalid", "extra": {"fields": detail}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    # A service looking up a row the caller cannot see raises DoesNotExist: the API says 404.
    if isinstance(exc, Http404 | exceptions.NotFound | ObjectDoesNotExist):
        return Response({"message": "Not found.", "code": "not_found", "extra": {}}, status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = (
            response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        )
        code = getattr(detail, "code", None) or "error"
        response.data = {"message": str(detail), "code": str(code), "extra": {}}
    return response


class ErrorOutput(serializers.Serializer):
    """The error body, for the OpenAPI schema."""

    message = serializers.CharField(help_text="What went wrong and how to fix it, for a person.")
    code = serializers.CharField(
        help_text="Stable machine code: invalid, not_found, permission_denied, not_authenticated, "
        "not_editable, transition_not_allowed, incomplete, anchor_required, stale_version, ..."
    )
    extra = serializers.DictField(
        help_text='Details: "fields" maps field names to messages (400); "findings" lists the '
        "blocking checklist items (409 incomplete); status and action for a refused transition; version "
        "and changes for a stale edit (412)."
    )


_ERROR_TEXT = {
    400: "Bad input: field-level errors in extra.fields; nothing was saved.",
    401: "Not authenticated: send a session cookie or an `Authorization: Token <key>` header.",
    403: "Your role does not allow this.",
    404: "No such object, or it belongs to another consortium.",
    409: "Refused in the proposal's current state (or, for a transition, for your role).",
    412: "stale_version: the object changed since the version in If-Match (or `version`); nothing was "
    "saved. extra.version is the saved version, extra.changes your values beside the saved ones.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can return (401 is added everywhere)."""
    return {
        code: OpenApiResponse(ErrorOutput, description=_ERROR_TEXT[code]) for code in sorted({401, *codes})
    }


# Statuses any operation may answer whatever its view declares, and when: the hook below adds each
# one an operation lacks, so that the schema documents every status a client can receive.
_CROSS_CUTTING = {
    400: "Bad input (field errors in extra.fields), or a body that is not JSON or nests too deep.",
    401: _ERROR_TEXT[401],
    403: "Your role does not allow this (Commerce, EXIM and program operations are for their staff).",
    404: "No such object (or it belongs to another consortium), or no such page of a list.",
    413: "The request body is larger than the limit (code too_large).",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOutput"}


def _statuses_for(operation: dict[str, Any]) -> set[int]:
    statuses = {400, 413} if "requestBody" in operation else set()
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "query" for p in parameters):
        statuses.add(400)
    # An unknown id, or a page number past the last page of a list.
    if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
        statuses.add(404)
    if any(requirement for requirement in operation.get("security", [{}])):  # not anonymous-only
        statuses |= {401, 403}
    return statuses


def document_error_statuses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular post-processing hook: every operation documents the cross-cutting error
    statuses it can answer (role refusals, unknown ids, bad input, bodies over the size limit) in the
    one error shape, unless its view documented that status itself."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOutput" not in components:
        components["ErrorOutput"] = {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string"},
                "extra": {"type": "object", "additionalProperties": {}},
            },
            "required": ["code", "extra", "message"],
        }
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in sorted(_statuses_for(operation)):
                responses.setdefault(
                    str(code),
                    {
                        "content": {"application/json": {"schema": _ERROR_REF}},
                        "description": _CROSS_CUTTING[code],
                    },
                )
    return result
