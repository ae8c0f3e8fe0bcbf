"""What a locked-out client sees (django-axes' lockout response), and the client address axes counts."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return (
        f"Too many failed sign-in attempts: sign-in is locked for {lockout_minutes()} minutes. "
        "Wait and try again, or ask a program administrator to unlock the account."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """HTTP 429: JSON in the API's error shape for API calls, the sign-in lockout page otherwise."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        body = {
            "message": lockout_message(),
            "code": "locked_out",
            "extra": {"cooloff_seconds": int(settings.AXES_COOLOFF_TIME.total_seconds())},
        }
        return JsonResponse(body, status=status)
    context = {"message": lockout_message(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=status)


def client_ip(request: HttpRequest) -> str:
    """The socket address, or behind N trusted proxies the address the outermost one saw."""
    proxies = settings.EXPORTAI_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
