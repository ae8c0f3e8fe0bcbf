"""Request edges outside DRF: bodies too large, NUL characters in any query or form value, and the
error pages (400, 404, 500) that answer in the API's JSON error shape under /api/.

Django's own error pages are HTML; an API client parsing {"message", "code", "extra"} must get that
shape for every status, also when the failure happens before DRF (a body over the limit, a forged
Host header) or in production with DEBUG off (an unexpected server error).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import defaults

from proposals.core.api.parsers import NUL_MESSAGE, body_too_large_message

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(message: str, code: str, status: int, extra: dict[str, Any] | None = None) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": extra or {}}, status=status)


def body_limit(request: HttpRequest) -> int:
    """The largest body a request may send: an upload and its form fields, or far less for JSON."""
    if request.content_type == "application/json" or request.content_type.endswith("+json"):
        return settings.EXPORTAI_JSON_MAX_BYTES
    return settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot parse


def _has_nul(values: Any) -> bool:
    """Whether any key or ANY value of a QueryDict holds a NUL (`.get()` sees only the last value)."""
    return any("\x00" in key or any("\x00" in v for v in items) for key, items in values.lists())


def _form_body(request: HttpRequest) -> bool:
    return request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    )


def request_guard(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Refuse, before any view reads it, a body over its limit (413) and NUL in any parameter (400).

    The API's form and multipart bodies are checked by its parsers (proposals.core.api.parsers); web form
    bodies here, so that no form field, filter or `request.POST.get` ever hands a NUL to PostgreSQL.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        if _content_length(request) > limit:
            if is_api(request):
                return api_error(body_too_large_message(limit), "too_large", 413)
            return HttpResponse(body_too_large_message(limit), status=413, content_type="text/plain")
        nul = _has_nul(request.GET) or (
            not is_api(request) and _form_body(request) and _has_nul(request.POST)
        )
        if nul:
            if is_api(request):
                return api_error(NUL_MESSAGE, "parse_error", 400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return get_response(request)

    return middleware


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page: the API's JSON error body under /api/, the site's page elsewhere."""
    if is_api(request):
        return api_error("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (a SuspiciousOperation: body or field count over the limit, a bad Host header)."""
    if isinstance(exception, RequestDataTooBig):
        message = body_too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if is_api(request):
            return api_error(message, "too_large", 413)
        return HttpResponse(message, status=413, content_type="text/plain")
    if is_api(request):
        return api_error("The request could not be read.", "bad_request", 400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (production only: with DEBUG on, Django shows its traceback page instead)."""
    if is_api(request):
        return api_error("Something went wrong on our side; the error was logged.", "server_error", 500)
    return defaults.server_error(request)
