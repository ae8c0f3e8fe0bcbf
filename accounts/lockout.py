"""What a locked-out client sees (django-axes' lockout response), and the client address axes counts."""

import ipaddress
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
    """The address sign-in lockout counts: the socket's, or the one our outermost trusted proxy saw.

    With EXPORTAI_TRUSTED_PROXY_COUNT = 0 X-Forwarded-For is never read. With N proxies each appends
    the address it received from, so the Nth entry from the right is the one the outermost proxy
    saw; everything left of it is whatever the client sent. EXPORTAI_TRUSTED_PROXIES, when set, also
    requires the socket peer to be one of those proxies, so a client reaching gunicorn directly is
    counted by its own address whatever it forges. An entry that is not an address is never used.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.EXPORTAI_TRUSTED_PROXY_COUNT
    if proxies <= 0 or not _peer_is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def trusted_proxy_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """EXPORTAI_TRUSTED_PROXIES as networks (a bare address is a network of one); raises ValueError."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.EXPORTAI_TRUSTED_PROXIES]


def _peer_is_trusted_proxy(remote: str) -> bool:
    networks = trusted_proxy_networks()
    if not networks:
        return True  # no list: every peer is taken to be the proxy (the system check says so)
    try:
        peer = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(peer in network for network in networks)
