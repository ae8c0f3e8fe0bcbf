"""Create the demo logins, consortia and proposals that `make run` shows (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from proposals.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Seed demo consortia, proposals and staff logins."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_seed()
        state = "created" if result["created"] else "already present"
        self.stdout.write(
            self.style.SUCCESS(f"Demo data {state}. Every demo login's password: {DEMO_PASSWORD}")
        )
