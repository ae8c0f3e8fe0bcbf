"""Signed-in bench clients: a session for the user, verified for two-factor when the portal has it."""

from typing import Any

from django.test import Client


def signed_in_client(user: Any) -> Client:
    """A test client logged in as `user`, its session marked TOTP-verified (as after a real verify)."""
    client = Client()
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # a branch without two-factor
        return client
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
