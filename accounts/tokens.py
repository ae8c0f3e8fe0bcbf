"""API tokens (django-rest-knox): issue, list, rotate and revoke them, and decide whether one may be used.

A token is stored as a SHA-512 digest (knox), expires EXPORTAI_API_TOKEN_TTL_HOURS after issue, and a
user holds at most EXPORTAI_API_TOKENS_PER_USER (issuing one more drops the oldest). Every sign-in at
/api/auth/token/ issues a new key; rotation swaps a key for a new one with the same expiry, so only
the credentials (and for agency accounts the authenticator) extend a token's life.

Revocation: accounts.signals deletes a user's tokens when their password, activity, agency, staff or
superuser flags, consortium roles or authenticator change. Independently of those receivers, every use
re-checks the user: inactive users are refused (knox), and `token_two_factor_current` refuses the
token of a user who must use two-factor unless the confirmed authenticator they hold now already
existed when the token was issued.
"""

import binascii
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.services import totp_confirmed_device

TWO_FACTOR_STALE = (
    "This token was issued before your current authenticator was set up (or your account now needs "
    "two-factor): request a new one at /api/auth/token/ with your authenticator code."
)


def token_ttl() -> timedelta:
    return timedelta(hours=settings.EXPORTAI_API_TOKEN_TTL_HOURS)


def token_issue(*, user: Any) -> tuple[AuthToken, str]:
    """A new token for `user` (the caller has checked the credentials); returns it and its key, which
    is shown once and never stored. The user's oldest tokens beyond the per-user limit are revoked."""
    with transaction.atomic():
        instance, key = AuthToken.objects.create(user=user, expiry=token_ttl())
        keep = settings.EXPORTAI_API_TOKENS_PER_USER
        surplus = list(
            AuthToken.objects.filter(user=user)
            .order_by("-created", "-digest")
            .values_list("digest", flat=True)[keep:]
        )
        AuthToken.objects.filter(user=user, digest__in=surplus).delete()
        AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return instance, key


def tokens_of(*, user: Any) -> QuerySet[AuthToken]:
    """The user's tokens that have not expired, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created", "-digest")


def token_revoke(*, user: Any, token_key: str) -> bool:
    """Revoke one of the user's own tokens, named by its key's first characters; False if none is."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0


def tokens_revoke_all(*, user_id: int) -> int:
    """Revoke every token of the user; how many there were."""
    deleted, _ = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted


def token_rotate(*, token: AuthToken) -> tuple[AuthToken, str]:
    """Replace `token` with a new key of the same expiry (a key that may have been seen stops working)."""
    with transaction.atomic():
        remaining = token.expiry - timezone.now() if token.expiry else token_ttl()
        instance, key = AuthToken.objects.create(user=token.user, expiry=remaining)
        AuthToken.objects.filter(digest=token.digest).delete()
    return instance, key


def token_two_factor_current(*, user: Any, token: AuthToken) -> bool:
    """May this token still be used, as far as two-factor goes?

    Users who need no two-factor: yes. Users who do: only while they hold a confirmed authenticator
    that already existed when the token was issued. So a token issued before a two-factor reset, or
    to a consortium user later given an agency role, is refused at use even if no receiver revoked it.
    A device from before django-otp recorded creation times (created_at empty) counts as older.
    """
    if not user.requires_two_factor:
        return True
    device = totp_confirmed_device(user=user)
    if device is None:
        return False
    return device.created_at is None or device.created_at <= token.created


class PortalTokenAuthentication(TokenAuthentication):
    """knox's `Authorization: Token <key>` authentication, with the portal's checks at every use."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as exc:  # knox would let this through as a server error
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        try:
            return super().authenticate_credentials(token)
        except (binascii.Error, ValueError) as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc

    def validate_user(self, auth_token: AuthToken) -> tuple[Any, AuthToken]:
        user, auth_token = super().validate_user(auth_token)  # refuses inactive users
        if not token_two_factor_current(user=user, token=auth_token):
            raise exceptions.AuthenticationFailed(TWO_FACTOR_STALE, code="two_factor_required")
        return user, auth_token


def token_user(request: HttpRequest) -> Any | None:
    """The user a request's API token authenticates, or None (no token, or one that is refused)."""
    try:
        found = PortalTokenAuthentication().authenticate(Request(request))
    except exceptions.AuthenticationFailed:
        return None
    return found[0] if found else None


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """The schema's `tokenAuth` security scheme, as DRF's token authentication described it."""

    target_class = "accounts.tokens.PortalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
