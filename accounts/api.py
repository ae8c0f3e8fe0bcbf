"""API token endpoint: password (and, for agency accounts, a TOTP code) in, a DRF token out."""

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_message
from accounts.services import totp_confirmed_device, totp_verify


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The current code from the authenticator app; required for Commerce, EXIM and "
        "program accounts.",
    )


def _error(message: str, code: str, http_status: int) -> Response:
    return Response({"message": message, "code": code, "extra": {}}, status=http_status)


class TokenObtainView(APIView):
    """Exchange credentials for an API token (send it as `Authorization: Token <key>`)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        request=TokenInput,
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
