"""Two-factor enforcement (agency and staff users reach nothing but the 2FA pages until verified),
private caching of signed-in responses and downloads, and the API docs behind sign-in."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from accounts.services import totp_confirmed_device
from accounts.tokens import token_user

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
    pass here as anonymous: tokens are only issued to agency users after a TOTP code (accounts.api), and
    each use checks the authenticator again (accounts.tokens.token_two_factor_current).
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


def private_no_store(response: HttpResponse) -> None:
    """Neither the browser nor any shared cache keeps a copy (a signed-in page, a download)."""
    patch_cache_control(response, private=True, no_store=True)


def _signed_in(request: HttpRequest) -> bool:
    return bool(getattr(getattr(request, "user", None), "is_authenticated", False))


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user (session or API token)
    and on every download, so a shared computer's back button or a proxy never shows them to another.

    Runs after the view, so it sees the user DRF authenticated by token too (DRF sets request.user on
    the underlying request). Static files never get here: WhiteNoise answers them earlier.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before the view too: DRF replaces request.user on views that authenticate differently.
        session_user = _signed_in(request)
        response = self.get_response(request)
        signed_in = session_user or _signed_in(request)
        download = "attachment" in response.get("Content-Disposition", "")
        if signed_in or download:
            private_no_store(response)
        return response


# The API's schema and its two documentation pages (exportai/urls.py).
API_DOCS_URL_NAMES = frozenset({"api-schema", "api-docs", "api-redoc"})


def api_docs_need_sign_in() -> bool:
    """EXPORTAI_API_DOCS_PUBLIC false (the production default): the schema and docs are for users."""
    return not settings.EXPORTAI_API_DOCS_PUBLIC


class ApiDocsSignInMiddleware:
    """With EXPORTAI_API_DOCS_PUBLIC off, the schema answers 401 and the docs pages send anonymous
    visitors to sign in. The schema also takes an API token (an API client downloading it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.namespace or match.url_name not in API_DOCS_URL_NAMES:
            return None
        if not api_docs_need_sign_in() or request.user.is_authenticated:
            return None
        if match.url_name == "api-schema":
            if token_user(request) is not None:
                return None
            body = {
                "message": "Sign in, or send an `Authorization: Token <key>` header, to read the schema.",
                "code": "not_authenticated",
                "extra": {},
            }
            response = JsonResponse(body, status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        return redirect_to_login(request.get_full_path())
