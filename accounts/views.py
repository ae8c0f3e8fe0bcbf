"""The sign-in journey's second step (TOTP verification, enrolment on first use), and your API tokens."""

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import ConfirmPasswordForm, TokenForm
from accounts.lockout import lockout_message
from accounts.services import (
    totp_confirmed_device,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_qr_svg,
    totp_retry_after,
    totp_secret_b32,
    totp_verify,
)
from accounts.tokens import token_issue, token_revoke, tokens_of, tokens_revoke_all


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device: Any) -> HttpResponse:
    # A new session key at the privilege change, as Django's login() does for the first factor.
    request.session.cycle_key()
    django_otp.login(request, device)
    return redirect(_next_url(request))


def _wrong_code(form: TokenForm, device: Any) -> None:
    wait = totp_retry_after(device)
    message = "That code is not valid. Check your authenticator app and try the current code."
    if wait:
        message += f" After a wrong code, wait {wait} second{'s' if wait != 1 else ''} before trying again."
    form.add_error("token", message)


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask an enrolled agency user for the current code."""
    user = request.user
    if not user.requires_two_factor or user.is_verified():
        return redirect(_next_url(request))
    device = totp_confirmed_device(user=user)
    if device is None:
        return redirect(f"{reverse('otp-setup')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = totp_verify(user=user, token=form.cleaned_data["token"])
        if verified is not None:
            return _verified(request, verified)
        device.refresh_from_db()
        _wrong_code(form, device)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/otp_verify.html", context)


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First use: show the secret (QR code and text), confirm it with one code, then sign in."""
    user = request.user
    if not user.requires_two_factor or user.is_verified():
        return redirect(_next_url(request))
    if totp_confirmed_device(user=user) is not None:
        # Re-enrolment is an administrator's act (delete the device in the admin), never self-service.
        return redirect(f"{reverse('otp-verify')}?{request.GET.urlencode()}")
    device = totp_enrol_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_enrol_confirm(user=user, token=form.cleaned_data["token"])
        if confirmed is not None:
            messages.success(request, "Two-factor authentication is set up for your account.")
            return _verified(request, confirmed)
        device.refresh_from_db()
        _wrong_code(form, device)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret_b32(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Your API tokens: when each was issued and expires; issue a new one (shown once) or revoke.

    Agency users reach this page only after two-factor (accounts.middleware), so a token issued here
    has the same footing as one from /api/auth/token/ with a code.
    """
    new_key = None
    form = ConfirmPasswordForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "issue":
            form = ConfirmPasswordForm(request.POST)
            if form.is_valid():
                # Through authenticate(), so that django-axes counts a wrong password here too.
                confirmed = authenticate(
                    request, username=request.user.get_username(), password=form.cleaned_data["password"]
                )
                if getattr(request, "axes_locked_out", False):
                    form.add_error("password", lockout_message())
                elif confirmed is None or confirmed.pk != request.user.pk:
                    form.add_error("password", "That is not your password.")
                else:
                    _instance, new_key = token_issue(user=request.user)
                    form = ConfirmPasswordForm()
        elif action == "revoke":
            if token_revoke(user=request.user, token_key=request.POST.get("token_key", "")):
                messages.success(request, "The token is revoked: it no longer works.")
            else:
                messages.error(request, "No such token: it may have expired or been revoked already.")
            return redirect("account-tokens")
        elif action == "revoke-all":
            count = tokens_revoke_all(user_id=request.user.pk)
            messages.success(request, f"{count} token{'s' if count != 1 else ''} revoked.")
            return redirect("account-tokens")
        else:
            return HttpResponseBadRequest("Unknown action.")
    context = {
        "tokens": tokens_of(user=request.user),
        "new_key": new_key,
        "form": form,
        "ttl_hours": settings.EXPORTAI_API_TOKEN_TTL_HOURS,
        "per_user": settings.EXPORTAI_API_TOKENS_PER_USER,
    }
    return render(request, "accounts/tokens.html", context)
