"""One exception handler: application errors and DRF errors in a stable JSON shape.

Body: {"message": str, "code": str, "extra": {...}}; field errors are in extra["fields"].
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from proposals.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "code": exc.code, "extra": exc.extra}, status=exc.status_code
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            {"message": "Please correct the errors.", "code": "invalid", "extra": {"fields": detail}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
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
