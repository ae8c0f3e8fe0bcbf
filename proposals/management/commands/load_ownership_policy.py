"""Load an ownership (affiliates, 50%) policy file as a new version; proposals in review are rescreened."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from proposals.commerce.services.ownership import DEFAULT_OWNERSHIP_POLICY_FILE, ownership_policy_load
from proposals.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Load the affiliates (50% ownership) rule as dated data (JSON, see data/ownership_policy.json)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_OWNERSHIP_POLICY_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = ownership_policy_load(path=options["path"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded ownership policy version {version.number}; proposals in review are screened again."
            )
        )
