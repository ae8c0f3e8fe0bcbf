"""Print the current TOTP code for the demo staff logins (the secret is EXPORTAI_DEMO_TOTP_SECRET)."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.services import totp_key_from_b32


class Command(BaseCommand):
    help = "Print the current six-digit code for the demo staff logins (commerce, exim, admin)."

    def handle(self, *args: Any, **options: Any) -> None:
        secret = settings.EXPORTAI_DEMO_TOTP_SECRET
        if not secret:
            raise CommandError("EXPORTAI_DEMO_TOTP_SECRET is not set (it is only set by default with DEBUG).")
        totp = TOTP(bytes.fromhex(totp_key_from_b32(secret)))
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(f"{totp.token():06d}  (valid for {remaining} more seconds)")
