"""Two-factor enforcement: agency and staff users reach nothing but the 2FA pages until verified."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.services import totp_confirmed_device

# The pages an unverified agency user may still reach: the second step itself, and the way out.
EXEMPT_URL_NAMES = frozenset({"otp-verify", "otp-setup", "logout", "login"})
# Pages under /api/ that a person opens in a browser: redirected like any page, not answered in JSON.
API_HTML_PAGES = frozenset({"api-docs"})


def two_factor_pending(user: Any) -> bool:
    """True for a signed-in user who must use TOTP and has not yet done so in this session."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "requires_two_factor", False)) and not user.is_verified()


class TwoFactorRequiredMiddleware:
    """Sends unverified agency users to verification (or first-use enrolment) before any view runs.

    API requests get a 403 in the API's error shape instead of a redirect. Token-authenticated API calls
    pass here as anonymous: tokens are only issued to agency users after a TOTP code (accounts.api).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not two_factor_pending(request.user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES and not match.namespace:
            return None
        if request.path.startswith("/api/") and (match is None or match.url_name not in API_HTML_PAGES):
            body = {
                "message": "Two-factor verification is required: sign in on the web with your "
                "authenticator code, or use an API token.",
                "code": "two_factor_required",
                "extra": {},
            }
            return JsonResponse(body, status=403)
        step = "otp-verify" if totp_confirmed_device(user=request.user) else "otp-setup"
        url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
