"""API tokens: password (and, for agency accounts, a TOTP code) in, an expiring token out; the owner
lists, rotates and revokes their tokens (accounts.tokens)."""

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_message
from accounts.middleware import private_no_store
from accounts.services import totp_confirmed_device, totp_verify
from accounts.tokens import token_issue, token_revoke, token_rotate, tokens_of
from proposals.core.api.errors import error_responses


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The current code from the authenticator app; required for Commerce, EXIM and "
        "program accounts.",
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only once.")
    expiry = serializers.DateTimeField(help_text="When the token stops working; ask for a new one then.")
    token_key = serializers.CharField(
        help_text="The token's first characters: its name in /api/auth/tokens/ (to revoke it)."
    )


def _token_response(instance: Any, key: str) -> Response:
    """A new key, for this client only: never kept by a browser or proxy cache."""
    response = Response({"token": key, "expiry": instance.expiry, "token_key": instance.token_key})
    private_no_store(response)
    return response


def _error(message: str, code: str, http_status: int) -> Response:
    return Response({"message": message, "code": code, "extra": {}}, status=http_status)


class TokenObtainView(APIView):
    """Exchange credentials for a new API token (send it as `Authorization: Token <key>`).

    Each call issues a new token that expires (see `expiry`); older ones keep working until they
    expire or are revoked (GET/DELETE /api/auth/tokens/). A password change, a two-factor reset,
    deactivation or any change of role or agency revokes them all.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(description="Wrong credentials, or a missing or wrong otp_token"),
            403: OpenApiResponse(description="Agency account without an enrolled authenticator"),
            429: OpenApiResponse(description="Locked out after too many failed attempts"),
        },
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain HttpRequest, so that django-axes counts this attempt and its middleware sees a lockout.
        http_request = request._request
        user = authenticate(
            http_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            return _error(lockout_message(), "locked_out", status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            # The same refusal as DRF's stock token view, in the API's field-error shape.
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        if user.requires_two_factor:
            if totp_confirmed_device(user=user) is None:
                raise exceptions.PermissionDenied(
                    "Set up two-factor authentication by signing in on the web first.",
                    code="two_factor_not_enrolled",
                )
            if totp_verify(user=user, token=data.validated_data.get("otp_token", "")) is None:
                raise serializers.ValidationError(
                    {"otp_token": ["Enter the current code from your authenticator app."]},
                    code="two_factor_required",
                )
        instance, key = token_issue(user=user)
        return _token_response(instance, key)


class TokenInfoOutput(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters (never the whole key).")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="Whether this is the token making this request.")


def _current_key(request: Request) -> str | None:
    return getattr(request.auth, "token_key", None)


def _info(token: Any, request: Request) -> dict[str, Any]:
    return {
        "token_key": token.token_key,
        "created": token.created,
        "expiry": token.expiry,
        "current": token.token_key == _current_key(request),
    }


class TokenListView(APIView):
    """Your API tokens that have not expired, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=["auth"],
        responses={200: TokenInfoOutput(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response([_info(token, request) for token in tokens_of(user=request.user)])


TOKEN_KEY = OpenApiParameter(
    "token_key", str, OpenApiParameter.PATH, description="The token's first characters, as listed."
)


class TokenRevokeView(APIView):
    """Revoke one of your tokens (it stops working at once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke",
        tags=["auth"],
        parameters=[TOKEN_KEY],
        responses={204: None, **error_responses(404)},
    )
    def delete(self, request: Request, token_key: str) -> Response:
        if not token_revoke(user=request.user, token_key=token_key):
            raise exceptions.NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRotateView(APIView):
    """Replace the token this request is made with by a new key with the same expiry."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_rotate",
        tags=["auth"],
        request=None,
        responses={200: TokenOutput, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        if _current_key(request) is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send this request with the token to rotate (Authorization: Token)."]}
            )
        instance, key = token_rotate(token=request.auth)
        return _token_response(instance, key)
