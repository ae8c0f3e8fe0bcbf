"""Two-factor (TOTP) enrolment and verification: the only code that writes OTP devices."""

import base64
import binascii
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def totp_confirmed_device(*, user: Any) -> TOTPDevice | None:
    """The user's enrolled authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_enrol_start(*, user: Any) -> TOTPDevice:
    """The pending (unconfirmed) device for first-use enrolment; created once, reused on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_enrol_confirm(*, user: Any, token: str) -> TOTPDevice | None:
    """Confirm the pending device with a first correct code; returns it, or None if the code is wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        )
        if device is None or not device.verify_token(_digits(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any older pending devices are abandoned attempts; the confirmed one is the only secret.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device


def totp_verify(*, user: Any, token: str) -> TOTPDevice | None:
    """The device that accepts this code (each code once; wrong codes back off exponentially)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        )
        if device is not None and device.verify_token(_digits(token)):
            return device
    return None


def totp_retry_after(device: TOTPDevice | None) -> int:
    """Seconds until the device accepts another attempt after wrong codes (0 if it accepts now)."""
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))


def totp_device_install(*, user: Any, secret_b32: str) -> TOTPDevice:
    """Enrol a user with a known base32 secret (the demo seed); replaces their devices. Idempotent."""
    key = totp_key_from_b32(secret_b32)
    with transaction.atomic():
        device = totp_confirmed_device(user=user)
        if device is not None and device.key == key:
            return device
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)


def totp_key_from_b32(secret_b32: str) -> str:
    """Hex key (django-otp's storage form) from the base32 secret authenticator apps use."""
    cleaned = secret_b32.replace(" ", "").upper()
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(padded)
    except binascii.Error as exc:
        raise ValueError("The TOTP secret must be base32 (letters A-Z and digits 2-7).") from exc
    if len(raw) < 10:
        raise ValueError("The TOTP secret must be at least 16 base32 characters (80 bits).")
    return raw.hex()


def totp_secret_b32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// enrolment URL as an inline SVG QR code (drawn here: no external request)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token) if ch.isdigit())
